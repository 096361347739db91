from django.apps import AppConfig


class PersonalConfig(AppConfig):
    name = "newsstand.personal"
    verbose_name = "Saved, history and following"

    def ready(self) -> None:
        from newsstand.accounts.export import register_exporter
        from newsstand.personal.export import export_personal

        register_exporter("personal", export_personal)
