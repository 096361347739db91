from django.urls import include, path

from newsstand.reader import views

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("stories/<int:pk>/", views.story, name="story"),
    path("healthz", views.healthz, name="healthz"),
    path("staff/", include("newsstand.reader.staff_urls")),
]
