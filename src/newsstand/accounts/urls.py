from django.urls import path

from newsstand.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
]
