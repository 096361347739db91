from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "newsstand.sync"
    verbose_name = "Sync APIs for reading apps"

    def ready(self) -> None:
        from newsstand.accounts.export import register_exporter
        from newsstand.sync.export import export_app_passwords

        register_exporter("app_passwords", export_app_passwords)
