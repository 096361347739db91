from django.apps import AppConfig


class GateConfig(AppConfig):
    name = "newsstand.gate"
    verbose_name = "Membership gate"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        from newsstand.gate.middleware import note_sign_out

        user_logged_out.connect(note_sign_out, dispatch_uid="newsstand.gate.note_sign_out")
