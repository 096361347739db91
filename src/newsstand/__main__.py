from newsstand.cli import main

main()
