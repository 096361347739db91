from django.urls import path

from newsstand.personal import views

app_name = "personal"

urlpatterns = [
    path("saved/", views.saved, name="saved"),
    path("saved/offline.json", views.saved_offline, name="saved_offline"),
    path("saved/<int:pk>/", views.save, name="save"),
    path("history/", views.history, name="history"),
    path("history/clear/", views.clear_history, name="clear_history"),
    path("history/<int:pk>/remove/", views.remove_from_history, name="remove_from_history"),
    path("following/", views.following, name="following"),
    path("following/change/", views.change_follow, name="follow"),
]
