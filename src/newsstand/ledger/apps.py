from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "newsstand.ledger"
    verbose_name = "Read ledger and payouts"

    def ready(self) -> None:
        from newsstand.ledger import checks  # noqa: F401 - registers the settings check
