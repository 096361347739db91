from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, post_save


class SearchConfig(AppConfig):
    name = "newsstand.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from newsstand.search import checks  # noqa: F401 - registers the system check
        from newsstand.search.receivers import ensure_index_after_migrate

        post_migrate.connect(ensure_index_after_migrate, sender=self)
        post_save.connect(
            _article_saved, sender="articles.Article", dispatch_uid="search.public_text"
        )


def _article_saved(instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    """The public search text follows the ORM's saves (a trigger drops it on any other write;
    `newsstand search check` computes what is missing)."""
    from newsstand.search.actions import write_public_text
    from newsstand.search.public import PUBLIC_INPUTS

    if update_fields is not None and not PUBLIC_INPUTS.intersection(update_fields):
        return
    write_public_text(instance)
