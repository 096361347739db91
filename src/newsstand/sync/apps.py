from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "newsstand.sync"
    verbose_name = "Sync APIs for reading apps"

    def ready(self) -> None:
        from newsstand.accounts.export import register_exporter
        from newsstand.articles.models import Article
        from newsstand.personal.models import ReadingHistory
        from newsstand.personal.signals import entries_reshaped, states_changed
        from newsstand.sync.actions import totals_after_reshape, totals_after_state_change
        from newsstand.sync.export import export_app_passwords
        from newsstand.sync.lookups import FollowedBy
        from newsstand.sync.models import PublisherDay, PublisherWeek, ReadDay, ReadWeek

        # On these fields only: `publisher__followed_by` (sync.lookups), and History's copy of
        # the article's publisher, and the per-day and per-week counts' (sync.queries.count_parts).
        Article._meta.get_field("publisher").register_lookup(FollowedBy)
        ReadingHistory._meta.get_field("article_publisher_id").register_lookup(FollowedBy)
        for model in (PublisherDay, ReadDay, PublisherWeek, ReadWeek):
            model._meta.get_field("publisher_id").register_lookup(FollowedBy)

        register_exporter("app_passwords", export_app_passwords)
        entries_reshaped.connect(totals_after_reshape, dispatch_uid="sync-totals-after-reshape")
        states_changed.connect(
            totals_after_state_change, dispatch_uid="sync-totals-after-state-change"
        )
