from django.urls import include, path

from newsstand.reader import staff, staff_stories

app_name = "staff"

urlpatterns = [
    path("", staff.staff_home, name="home"),
    path("feeds/", staff.feed_list, name="feeds"),
    path("feeds/<int:pk>/", staff.feed_detail, name="feed"),
    path("feeds/<int:pk>/check-now/", staff.feed_check_now, name="feed_check_now"),
    path("feeds/<int:pk>/reactivate/", staff.feed_reactivate, name="feed_reactivate"),
    path("publishers/<slug:slug>/", staff.publisher_detail, name="publisher"),
    path("publishers/<slug:slug>/retire/", staff.publisher_retire, name="publisher_retire"),
    path("publishers/<slug:slug>/unretire/", staff.publisher_unretire, name="publisher_unretire"),
    path("sources/add/", staff.add_source, name="add_source"),
    # Stories: ranking breakdown and Our Picks.
    path("ranking/", staff_stories.ranking, name="ranking"),
    path("picks/", staff_stories.picks, name="picks"),
    path("picks/<int:pk>/move/", staff_stories.pick_move, name="pick_move"),
    path("picks/<int:pk>/remove/", staff_stories.pick_remove, name="pick_remove"),
    # Publisher payouts (the ledger's pages, named in this namespace for the staff nav).
    path("payouts/", include("newsstand.ledger.staff_urls")),
]
