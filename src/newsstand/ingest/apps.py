from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "newsstand.ingest"
    verbose_name = "Ingestion"
