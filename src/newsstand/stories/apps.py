from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "newsstand.stories"
    verbose_name = "Stories"

    def ready(self) -> None:
        from newsstand.ingest.signals import articles_stored
        from newsstand.stories.receivers import assign_stored_articles

        articles_stored.connect(assign_stored_articles, dispatch_uid="stories_assign_stored")
