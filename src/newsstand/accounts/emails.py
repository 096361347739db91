"""Account emails (allauth's) leave the request: rendered there, sent by the task consumer.

Sending in the request made a sign-up, a password reset or an email change take as long as the
mail server did, and told a visitor by the time which address had an account. A message
crosses to the worker as JSON (django.tasks' arguments are), so only what allauth puts in its
emails is carried: text, alternatives (HTML), addresses and headers; never attachments.
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.core.mail import EmailMessage, EmailMultiAlternatives


class MessagePayload(TypedDict):
    subject: str
    body: str
    from_email: str
    to: list[str]
    cc: list[str]
    bcc: list[str]
    reply_to: list[str]
    headers: dict[str, str]
    alternatives: list[tuple[str, str]]


def message_payload(message: EmailMessage) -> MessagePayload:
    """The message as plain data for a task's arguments."""
    if message.attachments:
        raise ValueError("Account emails carry no attachments; this one has some.")
    alternatives: list[Any] = getattr(message, "alternatives", [])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": [str(a) for a in message.to],
        "cc": [str(a) for a in message.cc],
        "bcc": [str(a) for a in message.bcc],
        "reply_to": [str(a) for a in message.reply_to],
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
        "alternatives": [(str(content), str(mimetype)) for content, mimetype in alternatives],
    }


def message_from_payload(payload: MessagePayload) -> EmailMultiAlternatives:
    return EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload["cc"],
        bcc=payload["bcc"],
        reply_to=payload["reply_to"],
        headers=payload["headers"],
        alternatives=[(content, mimetype) for content, mimetype in payload["alternatives"]],
    )
