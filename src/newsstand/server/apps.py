from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "newsstand.server"
    verbose_name = "Server processes"
