from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "newsstand.articles"
    verbose_name = "Articles"
