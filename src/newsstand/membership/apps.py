from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "newsstand.membership"
    verbose_name = "Membership"
