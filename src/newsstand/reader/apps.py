from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "newsstand.reader"
    verbose_name = "Reader"
