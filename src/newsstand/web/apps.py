from django.apps import AppConfig


class WebConfig(AppConfig):
    """Registered for its templates: the site layout, the staff layout and the card list."""

    name = "newsstand.web"
    verbose_name = "Web"
