from django.apps import AppConfig


class BriefingConfig(AppConfig):
    name = "newsstand.briefing"
    verbose_name = "Daily briefing"

    def ready(self) -> None:
        from newsstand.accounts.export import register_exporter
        from newsstand.briefing.export import export_briefing

        # "Download my data" (accounts/): the reader's briefing choice and what was sent.
        register_exporter("briefing", export_briefing)
