from django.urls import path

from newsstand.membership import staff

app_name = "membership_staff"

urlpatterns = [
    path("", staff.members, name="members"),
]
