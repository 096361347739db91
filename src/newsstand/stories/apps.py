from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "newsstand.stories"
    verbose_name = "Stories"

    def ready(self) -> None:
        from newsstand.articles.signals import article_sections_changed
        from newsstand.ingest.signals import articles_stored
        from newsstand.stories.receivers import assign_stored_articles, follow_article_sections

        articles_stored.connect(assign_stored_articles, dispatch_uid="stories_assign_stored")
        article_sections_changed.connect(
            follow_article_sections, dispatch_uid="stories_follow_sections"
        )
