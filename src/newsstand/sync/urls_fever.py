"""/api/fever/: the Fever API (sync.fever)."""

from django.urls import path

from newsstand.sync import fever

app_name = "fever"

urlpatterns = [path("", fever.api, name="api")]
