from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "newsstand.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from newsstand.accounts.export import export_account, register_exporter

        register_exporter("account", export_account)
