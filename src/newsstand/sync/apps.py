from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "newsstand.sync"
    verbose_name = "Sync APIs for reading apps"

    def ready(self) -> None:
        from newsstand.accounts.export import register_exporter
        from newsstand.articles.models import Article
        from newsstand.sync.export import export_app_passwords
        from newsstand.sync.lookups import FollowedBy

        # On this one field only: `publisher__followed_by` (sync.lookups).
        Article._meta.get_field("publisher").register_lookup(FollowedBy)

        register_exporter("app_passwords", export_app_passwords)
