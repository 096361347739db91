from django.urls import path

from newsstand.briefing import views

app_name = "briefing"

urlpatterns = [
    path("account/briefing/", views.settings_view, name="preferences"),
    path("briefing/preview/", views.preview, name="preview"),
    path("briefing/preview/email/", views.preview_email, name="preview_email"),
    path("briefing/preview/text/", views.preview_text, name="preview_text"),
    path("briefing/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
