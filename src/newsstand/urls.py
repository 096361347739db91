from django.contrib import admin
from django.urls import include, path

from newsstand.api.endpoints import api

urlpatterns = [
    # /healthz, /readyz and /metrics: probes and Prometheus (server/views.py).
    path("", include("newsstand.server.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # The Fever and Google Reader APIs of reading apps (sync), before the JSON API's /api/ routes.
    path("api/fever/", include("newsstand.sync.urls_fever")),
    path("api/greader/", include("newsstand.sync.urls_greader")),
    # The JSON API (OpenAPI at /api/docs), personal tokens for it, and outgoing RSS/Atom feeds.
    path("api/", api.urls),
    path("account/api-tokens/", include("newsstand.api.urls")),
    path("feeds/", include("newsstand.api.feed_urls")),
    # Reading apps: their passwords, and the Miniflux API (/v1/) at the site root as apps expect.
    path("account/app-passwords/", include("newsstand.sync.urls_account")),
    path("v1/", include("newsstand.sync.urls_miniflux")),
    path("account/", include("newsstand.accounts.urls")),
    path("", include("newsstand.personal.urls")),
    path("", include("newsstand.foryou.urls")),
    path("membership/", include("newsstand.membership.urls")),
    path("staff/members/", include("newsstand.membership.staff_urls")),
    path("", include("newsstand.ledger.urls")),
    path("", include("newsstand.search.urls")),
    # /account/briefing/ (settings), /briefing/preview/ and the emails' unsubscribe links.
    path("", include("newsstand.briefing.urls")),
    path("", include("newsstand.reader.urls")),
]
