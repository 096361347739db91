from django.urls import path

from newsstand.membership import views

app_name = "membership"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("trial/", views.start_trial, name="start_trial"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/manual/", views.manual_checkout, name="manual_checkout"),
    path("manage/", views.portal, name="portal"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe_webhook"),
]
