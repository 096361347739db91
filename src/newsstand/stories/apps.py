from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "newsstand.stories"
    verbose_name = "Stories"
