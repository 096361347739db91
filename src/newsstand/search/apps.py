from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "newsstand.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from newsstand.search import checks  # noqa: F401 - registers the system check
        from newsstand.search.backends import ensure_index_after_migrate

        post_migrate.connect(ensure_index_after_migrate, sender=self)
