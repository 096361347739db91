from django.urls import path

from newsstand.search import views

app_name = "search"

urlpatterns = [
    # The issue asks for /search?q=…; /search/ answers too, for people who type the slash.
    path("search", views.search, name="search"),
    path("search/", views.search, name="search_slash"),
    path("search/suggest", views.suggest, name="suggest"),
]
