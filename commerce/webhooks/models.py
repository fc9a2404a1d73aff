"""Webhooks (subscriptions of a callback URL to a topic), their deliveries and callbacks.

A `Delivery` is one event owed to one webhook, created in the transaction that recorded the
event (commerce.models.Event, the outbox): it is the truth about what was sent. Tasks only say
"deliver delivery X"; a worker claims the row with a lease, so a dead worker's delivery is taken
over by the next one when the lease expires (services.py). Each HTTP attempt is an
`EventCallback`, the read-only log the API serves.
"""

import secrets

from django.db import models

from commerce.models import Event, Resource


def new_shared_secret() -> str:
    return secrets.token_hex(32)


def new_message_id() -> str:
    """The Standard Webhooks `webhook-id`: the same on every attempt of one delivery."""
    return f"msg_{secrets.token_urlsafe(18)}"


class Webhook(Resource):
    CLOSED = "closed"
    OPEN = "open"
    CIRCUIT_STATES = [(CLOSED, CLOSED), (OPEN, OPEN)]

    name = models.CharField(max_length=255, null=True, blank=True)
    topic = models.CharField(max_length=100, db_index=True)
    callback_url = models.URLField(max_length=2000)
    include_resources = models.JSONField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    circuit_state = models.CharField(max_length=8, choices=CIRCUIT_STATES, default=CLOSED)
    circuit_failure_count = models.PositiveIntegerField(default=0)
    shared_secret = models.CharField(max_length=64, default=new_shared_secret, editable=False)

    secret_fields = ("shared_secret",)

    def __str__(self):
        return self.name or f"{self.topic} -> {self.callback_url}"

    @property
    def sending(self) -> bool:
        return self.disabled_at is None and self.circuit_state == self.CLOSED


class Delivery(models.Model):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after WEBHOOK_MAX_ATTEMPTS
    STATUSES = [(PENDING, PENDING), (DELIVERED, DELIVERED), (FAILED, FAILED)]

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    message_id = models.CharField(max_length=64, unique=True, default=new_message_id)
    status = models.CharField(max_length=16, choices=STATUSES, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # Due from here (backoff after a failure).
    next_attempt_at = models.DateTimeField()
    # When a task for it was last enqueued: the sweeper re-enqueues what is overdue past this.
    enqueued_at = models.DateTimeField()
    # A worker holds the delivery until then; `lease_token` names that worker's claim, so a
    # slow worker whose lease was taken over cannot record over its successor.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, null=True, blank=True)
    # The exact body sent, rendered at the first attempt and resent as is on retries.
    body = models.TextField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    secret_fields = ("lease_token",)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "webhook"], name="delivery_once_per_webhook")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self):
        return f"{self.message_id} ({self.status})"


class EventCallback(Resource):
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="event_callbacks")
    delivery = models.ForeignKey(
        Delivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="callbacks"
    )
    callback_url = models.URLField(max_length=2000)
    payload = models.JSONField(null=True, blank=True)
    # The HTTP status as a string (CL's type); null when no response came (timeout, refused).
    response_code = models.CharField(max_length=8, null=True, blank=True)
    response_message = models.CharField(max_length=1000, null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.response_code or '-'} {self.callback_url}"
