"""Shared base models: every API resource has a public id, timestamps, reference and metadata."""

from functools import cache

from django.db import models
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from oauth2_provider.settings import oauth2_settings

from commerce.ids import new_public_id


class Resource(models.Model):
    """Base of every model served as a JSON:API resource.

    The integer primary key stays inside the server (lock ordering, joins); clients only ever see
    `public_id`, rendered as the resource's `id`.
    """

    public_id = models.CharField(max_length=10, unique=True, default=new_public_id, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    reference = models.CharField(max_length=255, null=True, blank=True)
    reference_origin = models.CharField(max_length=255, null=True, blank=True)
    metadata = models.JSONField(default=dict, blank=True)

    # Columns holding secrets (limits.md §5): passwords and their hashes, client and shared
    # secrets, token values. The one declaration the API reads: they are never filtered, sorted
    # or matched under any path, and a secret the serializer lists is returned to integration
    # tokens only (commerce/jsonapi/secrets.py).
    secret_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def __str__(self):
        label = getattr(self, "code", None) or getattr(self, "name", None) or self.public_id
        return str(label)

    @classmethod
    def from_db(cls, db, field_names, values):
        """A row read whole, as the instance Django's `from_db` makes of it, without running
        `Model.__init__`, which sets each column through `setattr` (a served record's reads
        build some 230 instances per checkout; an order's 75 columns took ~16 us). The same
        values in `__dict__`, the same state, the same `post_init` (commerce.events.snapshot);
        Django's own way for a row with deferred columns or a model whose columns are set
        through descriptors of their own (a file's)."""
        attnames = _plain_attnames(cls)
        if attnames is None or len(values) != len(attnames) or pre_init.has_listeners(cls):
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        new.__dict__["_state"] = state
        new.__dict__.update(zip(attnames, values, strict=True))  # column order, as Django assumes
        post_init.send(sender=cls, instance=new)
        return new

    def is_prefetched(self, relation: str) -> bool:
        """Whether `relation`'s rows came with this record (prefetch_related): reading them is
        then free, else it is a query."""
        return relation in getattr(self, "_prefetched_objects_cache", {})

    def give_prefetched(self, relation: str, rows) -> None:
        """Hold `rows` as this record's rows of to-many `relation`, as prefetch_related holds
        them: a service that read them another way (with other reads, in one statement)."""
        cache = self.__dict__.setdefault("_prefetched_objects_cache", {})
        cache.pop(relation, None)
        queryset = getattr(self, relation).get_queryset()  # this record's, not evaluated
        queryset._result_cache = list(rows)
        queryset._prefetch_done = True
        cache[relation] = queryset


@cache
def _plain_attnames(model) -> tuple[str, ...] | None:
    """The attnames of `model`'s columns in order, when setting each is storing it in the
    instance's `__dict__` (what Django's descriptors of plain columns and foreign keys do on a
    new instance); None otherwise."""
    plain = (DeferredAttribute, ForeignKeyDeferredAttribute)
    fields = model._meta.concrete_fields
    if any(type(model.__dict__.get(f.attname)) not in plain for f in fields):
        return None
    return tuple(f.attname for f in fields)


class Address(Resource):
    """A postal address: used by orders, merchants, stock locations and address books."""

    business = models.BooleanField(null=True, blank=True)
    first_name = models.CharField(max_length=255, null=True, blank=True)
    last_name = models.CharField(max_length=255, null=True, blank=True)
    company = models.CharField(max_length=255, null=True, blank=True)
    line_1 = models.CharField(max_length=255)
    line_2 = models.CharField(max_length=255, null=True, blank=True)
    city = models.CharField(max_length=255)
    zip_code = models.CharField(max_length=32, null=True, blank=True)
    state_code = models.CharField(max_length=64, null=True, blank=True)
    country_code = models.CharField(max_length=2)
    phone = models.CharField(max_length=64)
    email = models.EmailField(max_length=254, null=True, blank=True)
    notes = models.TextField(max_length=2000, null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    billing_info = models.CharField(max_length=255, null=True, blank=True)
    # Who may reach this address with a non-integration token (auth.md's addresses row):
    # the customer that owns it (set by the orders app), else anyone holding its id.
    owner_customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    # What an address says (not whose it is): what a copy takes, what a change is seen in.
    DETAILS = (
        "business",
        "first_name",
        "last_name",
        "company",
        "line_1",
        "line_2",
        "city",
        "zip_code",
        "state_code",
        "country_code",
        "phone",
        "email",
        "notes",
        "lat",
        "lng",
        "billing_info",
    )

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self):
        return self.name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or (self.company or "")

    @property
    def name(self) -> str:
        parts = [
            self.full_name,
            self.line_1,
            self.zip_code,
            self.city,
            self.state_code,
            f"({self.country_code})",
        ]
        return ", ".join(p for p in parts if p)

    @property
    def full_address(self) -> str:
        parts = [
            self.company,
            self.line_1,
            self.line_2,
            self.zip_code,
            self.city,
            self.state_code,
            f"({self.country_code})",
            self.phone,
        ]
        return ", ".join(p for p in parts if p)

    @property
    def is_geocoded(self) -> bool:
        return self.lat is not None and self.lng is not None

    @property
    def is_localized(self) -> bool:
        return self.is_geocoded

    @property
    def map_url(self) -> str | None:
        if not self.is_geocoded:
            return None
        return f"https://www.openstreetmap.org/?mlat={self.lat}&mlon={self.lng}"

    provider_name = None
    static_map_url = None


class Event(models.Model):
    """Outbox of domain events (`orders.place`, `shipments.ship` ...), written in the same
    transaction as the change that caused them, so a rolled-back change records nothing and a
    committed one is never lost. Webhook delivery reads from here; the API serves them as
    `events` (bulk.md "Events"), by `public_id`."""

    public_id = models.CharField(max_length=10, default=new_public_id, editable=False)
    topic = models.CharField(max_length=100)
    resource_type = models.CharField(max_length=100)
    resource_id = models.CharField(max_length=10)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]
        # Declared here rather than as unique=True / db_index=True on the fields: on PostgreSQL
        # those also build a `varchar_pattern_ops` twin of each index (for LIKE), which no query
        # of events uses and every write of an event paid for (a checkout writes ~40).
        constraints = [
            models.UniqueConstraint(fields=["public_id"], name="commerce_event_public_id_uniq")
        ]
        indexes = [
            # A record's events (`/api/skus/<id>/events`): public ids are unique across types.
            models.Index(fields=["resource_id"], name="commerce_event_resource"),
            # Lists and webhooks' topics (`filter[q][name_eq]`).
            models.Index(fields=["topic"], name="commerce_event_topic"),
        ]

    def __str__(self):
        return f"{self.topic} {self.resource_type}/{self.resource_id}"


class Counter(models.Model):
    """Named sequential counters (order numbers). `next_number` increments under the row lock,
    so numbers are unique and gap-free per committed transaction on every database."""

    name = models.CharField(max_length=64, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}={self.value}"


class ApiClient(Resource):
    """What kind of API client a django-oauth-toolkit Application is (auth.md "API clients").

    The Application holds the credentials (client id, hashed secret, confidential or public);
    this profile adds Commerce Layer's `kind` and the scope used when a token request names none.
    `public_id` is the token's `application.id` claim.
    """

    KINDS = [("integration", "integration"), ("sales_channel", "sales_channel")]

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="api_client"
    )
    kind = models.CharField(max_length=32, choices=KINDS)
    scope = models.CharField(max_length=1000, blank=True, default="")

    def __str__(self):
        return f"{self.kind} {self.application.name or self.application.client_id}"


class AccessTokenScope(models.Model):
    """What a django-oauth-toolkit AccessToken gives access to, resolved when it was issued.

    One row per token (deleted with it, so revocation stays DOT's `revoke()`), read together with
    the token in the single query that authenticates a request. Keys are internal: the JWT only
    carries public ids.
    """

    access_token = models.OneToOneField(
        oauth2_settings.ACCESS_TOKEN_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="commerce_scope",
    )
    # integration, sales_channel or customer (a customer token is issued to a sales channel).
    kind = models.CharField(max_length=32)
    # Internal market pks; null means every market (an integration token without scope).
    market_ids = models.JSONField(null=True, blank=True)
    stock_location_ids = models.JSONField(default=list, blank=True)
    customer_id = models.BigIntegerField(null=True, blank=True)
    customer_public_id = models.CharField(max_length=10, null=True, blank=True)

    def __str__(self):
        return f"{self.kind} scope of token #{self.access_token_id}"


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` of one API client and the first answer given to it (orders.md).

    Inserted `running` in its own transaction before the request executes (the unique constraint
    makes a concurrent duplicate fail), then `done` with the rendered status and body, which are
    replayed byte for byte for 24 h. `owner` names the execution holding the row, so a slow
    request whose row was taken over cannot overwrite its successor's. See commerce/idempotency.py.
    """

    RUNNING = "running"
    DONE = "done"
    STATES = [(RUNNING, RUNNING), (DONE, DONE)]

    application = models.ForeignKey(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Whose key it is within the client: "" for an integration, the token for a guest
    # sales-channel token, the customer for a customer token (commerce/idempotency.py).
    caller = models.CharField(max_length=40, blank=True, default="")
    key = models.CharField(max_length=255)
    # SHA-256 (hex) of method, path with query string, caller and canonical body.
    fingerprint = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.TextField()
    state = models.CharField(max_length=16, choices=STATES, default=RUNNING)
    owner = models.UUIDField()
    # When the (current) first request started: `running` rows time out from here, every row
    # expires 24 h after it.
    created_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=255, blank=True, default="")
    body = models.BinaryField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "caller", "key"], name="idempotency_key_unique_per_caller"
            )
        ]

    def __str__(self):
        return f"{self.key} ({self.state})"


class RateCounter(models.Model):
    """One sliding-window rate counter of the database backend (commerce/ratelimit.py).

    Time is cut into buckets of the budget's period; `current` counts the requests of bucket
    `bucket`, `previous` those of the bucket before. One atomic UPSERT per request moves and
    increments them. Rows past `expires_at` (epoch seconds) count nothing and are pruned.
    """

    key = models.CharField(max_length=200, primary_key=True)
    bucket = models.BigIntegerField()
    current = models.IntegerField()
    previous = models.IntegerField()
    expires_at = models.FloatField(db_index=True)

    def __str__(self):
        return f"{self.key}: {self.current} (+{self.previous} before)"


class Tag(Resource):
    """A label records carry and are filtered by (bulk.md "Tags"): 1 to 25 characters of
    `[0-9A-Za-z_-]`, unique."""

    name = models.CharField(max_length=25, unique=True)

    class Meta:
        ordering = ["name", "id"]


class Tagging(models.Model):
    """One tag on one record of any taggable model (at most 10 per record, bulk.md)."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tag", "content_type", "object_id"], name="tagging_unique"
            ),
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="tagging_target")]

    def __str__(self):
        return f"{self.tag_id} on {self.content_type_id}/{self.object_id}"
