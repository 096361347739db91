"""Included by reader/staff_urls.py under /staff/payouts/, in the reader:staff namespace."""

from django.urls import path

from newsstand.ledger import staff

urlpatterns = [
    path("", staff.payouts, name="payouts"),
    path("publisher/<int:pk>/", staff.publisher_payouts, name="payouts_publisher"),
]
