from django.apps import AppConfig


class PersonalConfig(AppConfig):
    name = "newsstand.personal"
    verbose_name = "Saved, history and following"
