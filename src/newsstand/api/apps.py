from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "newsstand.api"
    verbose_name = "API and outgoing feeds"
