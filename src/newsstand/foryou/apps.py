from django.apps import AppConfig


class ForYouConfig(AppConfig):
    name = "newsstand.foryou"
    verbose_name = "For You"
