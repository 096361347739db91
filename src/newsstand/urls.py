from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("account/", include("newsstand.accounts.urls")),
    path("", include("newsstand.personal.urls")),
    path("membership/", include("newsstand.membership.urls")),
    path("staff/members/", include("newsstand.membership.staff_urls")),
    path("", include("newsstand.ledger.urls")),
    path("", include("newsstand.reader.urls")),
]
