from django.urls import path

from newsstand.ledger import views

app_name = "ledger"

urlpatterns = [
    path("reads/", views.record_read, name="record_read"),
]
