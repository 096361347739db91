from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "newsstand.server"
    verbose_name = "Server processes"

    def ready(self) -> None:
        # Registered for their side effect: the checks, and the metrics' signal receivers.
        from newsstand.server import checks, metrics  # noqa: F401

        metrics.connect_receivers()
