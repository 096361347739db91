"""Membership test helpers: users, a fixed clock, Stripe-signed webhook posts, a fake Stripe API."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

WEBHOOK_SECRET = "whsec_test_membership"

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Argon2 is slow by design; these tests are about memberships, not password hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(email: str = "reader@example.org", **kwargs: Any) -> Any:
    return get_user_model().objects.create_user(
        username=kwargs.pop("username", email), email=email, password="x-Long-pass-123", **kwargs
    )


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """Stripe's scheme: t=timestamp,v1=HMAC-SHA256(secret, f"{t}.{payload}")."""
    t = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{t}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def ts(moment: datetime) -> int:
    return int(moment.timestamp())


@pytest.fixture
def stripe_settings(settings: Any) -> Any:
    settings.NEWSSTAND_PAYMENT_PROVIDER = "stripe"
    settings.NEWSSTAND_STRIPE_SECRET_KEY = "sk_test_local"
    settings.NEWSSTAND_STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.NEWSSTAND_PLANS = {
        **settings.NEWSSTAND_PLANS,
        "monthly": {**settings.NEWSSTAND_PLANS["monthly"], "stripe_price_id": "price_monthly"},
        "annual": {**settings.NEWSSTAND_PLANS["annual"], "stripe_price_id": "price_annual"},
    }
    return settings


class StripeEvents:
    """Builds Stripe event payloads the way Stripe sends them, and posts them signed."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._n = 0

    def event(self, event_type: str, obj: dict[str, Any], created: datetime) -> dict[str, Any]:
        self._n += 1
        return {
            "id": f"evt_test_{self._n}",
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": ts(created),
            "type": event_type,
            "livemode": False,
            "data": {"object": obj},
        }

    def post(
        self, event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, signature: str | None = None
    ) -> Any:
        payload = json.dumps(event)
        return self.client.post(
            reverse("membership:stripe_webhook"),
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature if signature is not None else sign(payload, secret),
        )

    @staticmethod
    def subscription(
        sub_id: str,
        status: str,
        period_end: datetime,
        *,
        user_id: int | None = None,
        customer: str = "cus_test_1",
        price: str = "price_monthly",
    ) -> dict[str, Any]:
        return {
            "id": sub_id,
            "object": "subscription",
            "customer": customer,
            "status": status,
            "metadata": {"user_id": str(user_id)} if user_id else {},
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_{sub_id}",
                        "object": "subscription_item",
                        "current_period_end": ts(period_end),
                        "price": {"id": price, "object": "price"},
                    }
                ],
            },
        }

    @staticmethod
    def invoice(
        invoice_id: str,
        sub_id: str,
        *,
        period_end: datetime,
        paid_at: datetime,
        amount: int = 1299,
        customer: str = "cus_test_1",
    ) -> dict[str, Any]:
        return {
            "id": invoice_id,
            "object": "invoice",
            "customer": customer,
            "currency": "usd",
            "amount_paid": amount,
            "number": f"NS-{invoice_id}",
            "status_transitions": {"paid_at": ts(paid_at)},
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": sub_id, "metadata": {}},
            },
            "lines": {"data": [{"period": {"start": ts(paid_at), "end": ts(period_end)}}]},
        }

    @staticmethod
    def checkout(
        user_id: int, sub_id: str, *, customer: str = "cus_test_1", plan: str = "monthly"
    ) -> dict[str, Any]:
        return {
            "id": "cs_test_1",
            "object": "checkout.session",
            "mode": "subscription",
            "client_reference_id": str(user_id),
            "customer": customer,
            "subscription": sub_id,
            "payment_status": "paid",
            "metadata": {"user_id": str(user_id), "plan": plan},
        }


@pytest.fixture
def stripe_events(client: Client, stripe_settings: Any) -> StripeEvents:
    return StripeEvents(client)


@dataclass
class FakeStripe:
    """A local stand-in for Stripe's API over real HTTP: records requests, answers JSON.

    `requests` holds (path, form, headers) of each call, `methods` its HTTP method, in the same
    order. `subscriptions` are the live subscription ids: DELETE /v1/subscriptions/<id> cancels
    one (200), and answers 404 resource_missing for any other id, as Stripe does for one already
    canceled. `fail_with` answers every request with that status; `delay_s` holds every answer
    back that long (a Stripe that times out).
    """

    requests: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    subscriptions: set[str] = field(default_factory=set)
    fail_with: int | None = None
    delay_s: float = 0.0
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if self.fail_with and self.fail_with >= 500:
            return self.fail_with, {
                "error": {"type": "api_error", "message": "Something went wrong on Stripe's end."}
            }
        if self.fail_with:
            return self.fail_with, {
                "error": {"type": "invalid_request_error", "message": "No such price: 'price_x'"}
            }
        if method == "POST" and path == "/v1/checkout/sessions":
            return 200, {
                "id": "cs_test_fake",
                "object": "checkout.session",
                "url": "https://checkout.stripe.test/c/pay/cs_test_fake",
                "mode": form.get("mode"),
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            return 200, {
                "id": "bps_test_fake",
                "object": "billing_portal.session",
                "url": "https://billing.stripe.test/p/session/bps_test_fake",
            }
        if method == "DELETE" and path.startswith("/v1/subscriptions/"):
            sub_id = path.removeprefix("/v1/subscriptions/")
            if sub_id not in self.subscriptions:
                return 404, {
                    "error": {
                        "type": "invalid_request_error",
                        "code": "resource_missing",
                        "param": "id",
                        "message": f"No such subscription: '{sub_id}'",
                    }
                }
            self.subscriptions.discard(sub_id)
            return 200, {"id": sub_id, "object": "subscription", "status": "canceled"}
        return 404, {"error": {"type": "invalid_request_error", "message": f"no route {path}"}}


@pytest.fixture
def fake_stripe(stripe_settings: Any) -> Iterator[FakeStripe]:
    fake = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def _serve(self, method: str) -> None:
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(query or self.rfile.read(length).decode()))
            fake.requests.append((path, form, {k.lower(): v for k, v in self.headers.items()}))
            fake.methods.append(method)
            status, body = fake.answer(method, path, form)
            if fake.delay_s:
                time.sleep(fake.delay_s)
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_test")
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up waiting (delay_s): nobody to answer

        def do_POST(self) -> None:
            self._serve("POST")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.server = server
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    stripe_settings.NEWSSTAND_STRIPE_API_BASE = fake.url
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
