from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "newsstand.sync"
    verbose_name = "Sync APIs for reading apps"
