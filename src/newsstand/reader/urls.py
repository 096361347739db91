from django.urls import include, path

from newsstand.reader import browse, prefs, pwa, topics, views
from newsstand.web import icons

app_name = "reader"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<int:pk>/", views.article, name="article"),
    path("articles/<int:pk>/print/", views.article_print, name="article_print"),
    path("stories/<int:pk>/", views.story, name="story"),
    path("publishers/", browse.publishers, name="publishers"),
    path("publishers/<path:slug>/icon", icons.publisher_icon, name="publisher_icon"),
    path("publishers/<path:slug>/", browse.publisher, name="publisher"),
    path("sections/", browse.sections, name="sections"),
    # Section names can hold "/" ("World/Europe"); the trailing slash still ends the route.
    path("sections/<path:section>/", browse.section, name="section"),
    path("topics/<str:slug>/", topics.topic, name="topic"),
    path("settings/", prefs.settings_view, name="settings"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("offline/", pwa.offline, name="offline"),
    path("staff/", include("newsstand.reader.staff_urls")),
]
