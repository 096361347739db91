from django.apps import AppConfig


class PersonalConfig(AppConfig):
    name = "newsstand.personal"
    verbose_name = "Saved, history and following"

    def ready(self) -> None:
        from newsstand.accounts.export import register_exporter
        from newsstand.personal.export import export_following, export_history, export_saved

        # "Download my data" (accounts/): what the reader saved, read and follows.
        register_exporter("saved", export_saved)
        register_exporter("history", export_history)
        register_exporter("following", export_following)
