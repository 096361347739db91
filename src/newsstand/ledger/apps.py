from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "newsstand.ledger"
    verbose_name = "Read ledger and payouts"

    def ready(self) -> None:
        from newsstand.accounts.export import register_exporter
        from newsstand.ledger import checks  # noqa: F401 - registers the settings check
        from newsstand.ledger.export import export_reads

        register_exporter("reads", export_reads)
