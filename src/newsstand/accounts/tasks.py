"""Account emails on django.tasks (Huey backend): the request renders, the worker sends."""

from __future__ import annotations

# Imported for its side effect: it registers Huey's "djtasks.run" task, which the consumer must
# know before the first django.tasks message reaches it.
import huey.contrib.djhuey.tasks_backend  # noqa: F401
from django.tasks import task

from newsstand.accounts.emails import MessagePayload, message_from_payload


@task()
def send_account_email_task(payload: MessagePayload) -> int:
    """Send one rendered account email; returns how many messages went (1)."""
    return message_from_payload(payload).send()
