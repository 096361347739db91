from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "newsstand.sources"
    verbose_name = "Publishers and feeds"
