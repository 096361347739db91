from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


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

        # History keeps a copy of each article's publisher and publication time (counted from
        # its own index: ReadingHistory); an edited article's copies follow it.
        post_save.connect(
            _article_saved, sender="articles.Article", dispatch_uid="personal-history-copies"
        )


def _article_saved(
    sender: type, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any
) -> None:
    if created:
        return  # nobody has read it yet
    if update_fields is not None and not {"publisher", "published_at"} & set(update_fields):
        return
    from newsstand.personal.actions import copy_article_fields

    copy_article_fields(instance)
