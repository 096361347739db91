from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "newsstand.articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from newsstand.articles.models import Section
        from newsstand.articles.sections import forget_catalogue

        def changed(**kwargs: object) -> None:
            # This process's ingest uses the new list at once; others within CATALOGUE_TTL_S.
            forget_catalogue()

        post_save.connect(
            changed, sender=Section, weak=False, dispatch_uid="articles.section_saved"
        )
        post_delete.connect(
            changed, sender=Section, weak=False, dispatch_uid="articles.section_deleted"
        )
