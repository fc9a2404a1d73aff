"""Attribute serializers and relationship declarations of JSON:API resources.

A resource's serializer is a DRF ModelSerializer for its *attributes* only (strict JSON types,
Commerce Layer's timestamp format, money triplets derived from cents). Relationships are declared
beside them as `Rel`s; the document builder renders them (links always, `data` when included).
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.db import models
from rest_framework import serializers
from rest_framework.fields import empty

from commerce import money
from commerce.jsonapi import fields as f
from commerce.jsonapi.secrets import secret_fields, sees_secrets, shared_secret_fields
from commerce.jsonapi.storable import integer_range

COMMON_ATTRIBUTES = ("created_at", "updated_at", "reference", "reference_origin", "metadata")
INT32_MAX = 2**31 - 1
CENTS_MAX = 10**13  # one hundred billion units of any two-decimal currency


@dataclass(frozen=True)
class Rel:
    """A relationship: `type` is the target resource type (a tuple when polymorphic).

    `source` is the model attribute holding it (defaults to the relationship name). `create` is
    "required", "optional" or None (not settable on create); `update` says whether PATCH may set it.
    `type_of` names the type of a polymorphic target object. `getter` replaces attribute access
    for relationships computed from other data; `prefetch` names the lookups such a getter reads
    (strings or Prefetch objects), so that documents prefetch them (unscoped: the getter filters).
    """

    type: str | tuple[str, ...]
    many: bool = False
    source: str | None = None
    create: str | None = None
    update: bool = False
    type_of: Callable | None = None
    getter: Callable | None = None
    prefetch: tuple[str, ...] = ()
    # Records reached through a parent the caller may see are visible with it, whatever the
    # target type's own scope (auth.md: stock locations "through the shipments of orders it
    # can reach").
    through_parent: bool = False
    # A polymorphic to-many's related endpoint lists through this resource type, whose queryset
    # holds every kind (`transactions` for an order's authorizations, captures ...).
    collection: str | None = None
    # A create locks the target's row as it reads it (with the target resource's
    # `lock_related`): the aggregate the new record joins (a line item's order).
    lock: bool = False
    # What a write checks of the target beyond its own row, read with it in one statement
    # (an order's payment method: its gateway, which may be disabled).
    read_related: tuple[str, ...] = ()
    # False: reached only at its related endpoint, never through `include` (a getter whose
    # answer costs queries per parent row, such as an order's `available_free_skus`).
    includable: bool = True
    # Called as `reached(parent, related)` each time a document reads this relationship of
    # `parent` (the include walk, linkage): lets the parent give its targets what they show
    # only through it (a shipping method's price for the shipment that reached it).
    reached: Callable | None = None
    # A to-many's related endpoint lists in this order when the query sorts by nothing
    # (a record's events: newest first).
    ordering: tuple[str, ...] = ()

    @property
    def types(self) -> tuple[str, ...]:
        return self.type if isinstance(self.type, tuple) else (self.type,)

    def target_type(self, obj) -> str:
        return self.type_of(obj) if self.type_of else self.types[0]

    def source_for(self, name: str) -> str:
        return self.source or name


@cache
def _validates_whole_record(serializer_class) -> bool:
    """Whether the serializer has validators of the whole record (DRF's unique-together ones,
    which look up each of their fields in `self.fields`)."""
    return bool(serializer_class().validators)


class ResourceSerializer(serializers.ModelSerializer):
    """Base serializer of every resource's attributes.

    Class attributes:
    - `money`: money attribute name -> name of the instance attribute giving its currency code
      (`{"amount": "currency_code"}` renders amount_cents, amount_float, formatted_amount).
    - `Meta.create_only_fields` (C but not U), `Meta.update_only_fields` (U but not C),
      `Meta.integration_only_fields` (writable by integration tokens only).
    """

    money: dict[str, str] = {}

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: f.StrictCharField,
        models.TextField: f.StrictCharField,
        models.EmailField: f.StrictEmailField,
        models.URLField: f.StrictURLField,
        models.SlugField: f.StrictCharField,
        models.BooleanField: f.StrictBooleanField,
        models.IntegerField: f.StrictIntegerField,
        models.BigIntegerField: f.StrictIntegerField,
        models.PositiveIntegerField: f.StrictIntegerField,
        models.PositiveSmallIntegerField: f.StrictIntegerField,
        models.SmallIntegerField: f.StrictIntegerField,
        models.FloatField: f.StrictFloatField,
        models.DateTimeField: f.TimestampField,
        models.JSONField: serializers.JSONField,
    }
    serializer_choice_field = f.StrictChoiceField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sparse = self.context.get("sparse_fields")
        self._sparse = sparse
        if sparse is not None:
            for name in list(self.fields):
                if name not in sparse:
                    self.fields.pop(name)
        ctx = self.context.get("ctx")
        if ctx is not None and not sees_secrets(ctx):
            # A secret is returned to integration tokens only (limits.md §5); a write-only one
            # (a password) stays, to be written.
            model = self.Meta.model
            for name in secret_fields(model) - shared_secret_fields(model):
                field = self.fields.get(name)
                if field is not None and not field.write_only:
                    self.fields.pop(name)

    # --- declaration helpers -------------------------------------------------------------

    def get_fields(self):
        """DRF builds a model serializer's fields from the model for every instance, on every
        write; they depend on the class alone, so they are built once per class and each
        instance gets copies of its own. Shallow copies: binding a field to its serializer
        (name, parent, source) and its lazily built validators are assignments on the copy;
        what the copies share (choices, messages, validators' lists) is only read."""
        built = type(self).__dict__.get("_built_fields")
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built
        given = self.context.get("attributes")
        if given is None or _validates_whole_record(type(self)):
            return {name: copy.copy(field) for name, field in built.items()}
        # A write's (commerce/jsonapi/writing.py): only what its validation looks at, the
        # attributes it carries and, on a create, those checked when absent (required ones,
        # defaults). An order has some 70 fields; copying and skipping each cost ~0.5 ms per
        # write. (`validate` methods here read the values, never `self.fields`.)
        creating = not self.partial
        return {
            name: copy.copy(field)
            for name, field in built.items()
            if name in given or (creating and (field.required or field.default is not empty))
        }

    def get_field_names(self, declared_fields, info):
        names = list(super().get_field_names(declared_fields, info))
        return [*COMMON_ATTRIBUTES, *[n for n in names if n not in COMMON_ATTRIBUTES]]

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if field_name == "metadata":
            field_class = f.MetadataField
        bounds = integer_range(model_field)
        if issubclass(field_class, serializers.IntegerField) and bounds is not None:
            # Within the column's storage type on every database (DRF takes the bounds of the
            # connection's validators: SQLite's are 64-bit for every integer column), and money
            # below CENTS_MAX, so that sums of it stay far inside 64 bits.
            big = isinstance(model_field, models.BigIntegerField)
            highest = min(bounds[1], CENTS_MAX if big else INT32_MAX)
            kwargs["max_value"] = min(kwargs.get("max_value", highest), highest)
            kwargs["min_value"] = max(kwargs.get("min_value", bounds[0]), bounds[0])
        if issubclass(field_class, serializers.IntegerField) and field_name.endswith("_cents"):
            # DRF gives big integer fields -2**63 as a minimum: money is never negative here.
            kwargs["min_value"] = max(kwargs.get("min_value") or 0, 0)
        if issubclass(field_class, serializers.FloatField):
            kwargs.setdefault("min_value", -1e12)
            kwargs.setdefault("max_value", 1e12)
        return field_class, kwargs

    def get_extra_kwargs(self):
        extra = super().get_extra_kwargs()
        for name in ("created_at", "updated_at"):
            extra.setdefault(name, {})["read_only"] = True
        return extra

    # --- output --------------------------------------------------------------------------

    def to_representation(self, instance):
        data = super().to_representation(instance)
        sparse = self._sparse
        for name, currency_attr in self.money.items():
            keys = (f"{name}_cents", f"{name}_float", f"formatted_{name}")
            if sparse is not None and not any(k in sparse for k in keys):
                continue
            currency = getattr(instance, currency_attr, None)
            cents = getattr(instance, f"{name}_cents", None)
            for key, value in money.money_triplet(name, cents, currency).items():
                if sparse is None or key in sparse:
                    data[key] = value
        return data

    # --- introspection used by the view layer --------------------------------------------

    @classmethod
    def attribute_names(cls) -> set[str]:
        names = set(cls().fields)
        for name in cls.money:
            names |= {f"{name}_cents", f"{name}_float", f"formatted_{name}"}
        return names

    @classmethod
    @cache  # declarations only: building the fields costs milliseconds, on every write
    def writable_attribute_names(cls, *, creating: bool, integration: bool) -> frozenset[str]:
        meta = cls.Meta
        names = {n for n, fld in cls().fields.items() if not fld.read_only}
        if creating:
            names -= set(getattr(meta, "update_only_fields", ()))
        else:
            names -= set(getattr(meta, "create_only_fields", ()))
        if not integration:
            names -= set(getattr(meta, "integration_only_fields", ()))
        return frozenset(names)
