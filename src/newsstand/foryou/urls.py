from django.urls import path

from newsstand.foryou import views

app_name = "foryou"

urlpatterns = [
    path("for-you/", views.for_you, name="feed"),
    path("start/", views.start, name="start"),
]
