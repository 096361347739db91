"""/account/app-passwords/: app passwords for reading apps."""

from django.urls import path

from newsstand.sync import views

app_name = "app_passwords"

urlpatterns = [
    path("", views.app_passwords, name="list"),
    path("<int:app_password_id>/revoke/", views.revoke, name="revoke"),
]
