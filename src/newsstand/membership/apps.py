from django.apps import AppConfig


class MembershipConfig(AppConfig):
    name = "newsstand.membership"
    verbose_name = "Membership"

    def ready(self) -> None:
        from allauth.account.signals import user_signed_up

        from newsstand.membership.signals import start_trial_on_sign_up

        user_signed_up.connect(start_trial_on_sign_up, dispatch_uid="membership_trial_on_signup")

        from newsstand.accounts.export import register_exporter
        from newsstand.membership.export import export_membership

        register_exporter("membership", export_membership)

        from newsstand.accounts.deletion import register_deletion_step
        from newsstand.membership.actions import end_billing_for_deletion

        register_deletion_step("membership", end_billing_for_deletion)
