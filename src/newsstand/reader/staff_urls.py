from django.urls import include, path

from newsstand.ingest import staff as feeds
from newsstand.reader import staff
from newsstand.stories import staff as staff_stories

app_name = "staff"

urlpatterns = [
    path("", staff.staff_home, name="home"),
    path("feeds/", feeds.feed_list, name="feeds"),
    path("feeds/<int:pk>/", feeds.feed_detail, name="feed"),
    path("feeds/<int:pk>/check-now/", feeds.feed_check_now, name="feed_check_now"),
    path("feeds/<int:pk>/reactivate/", feeds.feed_reactivate, name="feed_reactivate"),
    path("publishers/<slug:slug>/", feeds.publisher_detail, name="publisher"),
    path("publishers/<slug:slug>/retire/", feeds.publisher_retire, name="publisher_retire"),
    path("publishers/<slug:slug>/unretire/", feeds.publisher_unretire, name="publisher_unretire"),
    path("sources/add/", feeds.add_source, name="add_source"),
    # Stories: ranking breakdown and Our Picks.
    path("ranking/", staff_stories.ranking, name="ranking"),
    path("picks/", staff_stories.picks, name="picks"),
    path("picks/<int:pk>/move/", staff_stories.pick_move, name="pick_move"),
    path("picks/<int:pk>/remove/", staff_stories.pick_remove, name="pick_remove"),
    # Publisher payouts (the ledger's pages, named in this namespace for the staff nav).
    path("payouts/", include("newsstand.ledger.staff_urls")),
]
