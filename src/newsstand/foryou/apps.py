from django.apps import AppConfig


class ForYouConfig(AppConfig):
    name = "newsstand.foryou"
    verbose_name = "For You"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        from newsstand.foryou.signals import onboard_on_sign_up

        user_signed_up.connect(onboard_on_sign_up, dispatch_uid="foryou_onboard_on_signup")

        from newsstand.accounts.export import register_exporter
        from newsstand.foryou.export import export_foryou

        register_exporter("foryou", export_foryou)

        from newsstand.accounts.landing import register_landing
        from newsstand.foryou.onboarding import start_url_if_pending

        register_landing("foryou", start_url_if_pending)
