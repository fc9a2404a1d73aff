"""Tags on records (bulk.md "Tags"): which resource types carry them, and the services that
attach and detach them.

A taggable type is one whose resources.md entry lists `_add_tags` (`TAGGABLE_TYPES`, the one
list). Its declaration gets, from `make_taggable` (called by ResourceDeclaration for every
class of such a type):
- a GenericRelation `taggings` on its model (no column: Tagging rows name the record by
  content type and id), through which lists filter (`filter[q][tags_name_in]`...), and a
  prefetcher `tag_bundle` by which documents read `include=tags` in one query per level;
- the `tags` to-many relationship: readable and includable by whoever reads the record,
  written on POST/PATCH by integration tokens only, replacing the whole set;
- the triggers `_add_tags` and `_remove_tags` (comma-separated names, integration only).

At most `MAX_TAGS` tags per record (CL's limit): 422 on `/data/relationships/tags`. Attaching
tags records `<type>.tagged`, its payload the names attached and the record's tags after.
"""

import re
from functools import partial

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from commerce.auth.context import INTEGRATION
from commerce.events import emit_event
from commerce.exceptions import ValidationError, param_not_allowed
from commerce.jsonapi.serializers import Rel
from commerce.models import Tag, Tagging
from commerce.triggers import Trigger

# resources.md: every entry whose triggers list `_add_tags` (`returns` is not served here).
TAGGABLE_TYPES = frozenset(
    {
        "addresses",
        "bundles",
        "buy_x_pay_y_promotions",
        "coupons",
        "customers",
        "fixed_amount_promotions",
        "fixed_price_promotions",
        "free_gift_promotions",
        "free_shipping_promotions",
        "gift_cards",
        "line_item_options",
        "line_items",
        "orders",
        "percentage_discount_promotions",
        "returns",
        "shipments",
        "shipping_methods",
        "sku_options",
        "skus",
    }
)
MAX_TAGS = 10
NAME_PATTERN = re.compile(r"[0-9A-Za-z_-]{1,25}")
RELATIONSHIP = "tags"
# Filter attributes of every taggable list -> their ORM path through `taggings`.
FILTER_PATHS = {"tags_name": "taggings__tag__name", "tags_id": "taggings__tag__public_id"}


def is_valid_name(name) -> bool:
    """bulk.md: 1 to 25 characters of `[0-9A-Za-z_-]` (the CLI's rule)."""
    return isinstance(name, str) and NAME_PATTERN.fullmatch(name) is not None


# --- reads ------------------------------------------------------------------------------


def tags_of(record) -> list[Tag]:
    """The record's tags by name: what a document prefetched (`include=tags`, `TagsOf`), else
    read now."""
    bundle = record.__dict__.get(TagsOf.cache_name, _MISSING)
    if bundle is _MISSING:
        return list(
            Tag.objects.filter(_record_taggings(type(record), [record.pk], "taggings__")).order_by(
                "name", "id"
            )
        )
    return [] if bundle is None else bundle.tags


_MISSING = object()


def _record_taggings(model, pks, prefix: str = "") -> Q:
    """Taggings of records of `model` with these keys, the content type matched by a join on
    its natural key rather than by id: no ContentType lookup (a first one per process would be
    one more query in the first document that includes tags)."""
    opts = model._meta.concrete_model._meta
    return Q(
        **{
            f"{prefix}content_type__app_label": opts.app_label,
            f"{prefix}content_type__model": opts.model_name,
            f"{prefix}object_id__in": pks,
        }
    )


class _Bundle:
    __slots__ = ("pk", "tags")

    def __init__(self, pk, tags):
        self.pk = pk
        self.tags = tags


class TagsOf:
    """`<record>.tag_bundle`, a prefetcher Django's prefetch_related_objects drives: for a
    level of records it reads their taggings with their tags in one query (a join) and hands
    each record its tags (by name), or None for a record without. `tags_of` reads them."""

    cache_name = "_tag_bundle"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return instance.__dict__.get(self.cache_name)

    def is_cached(self, instance) -> bool:
        return self.cache_name in instance.__dict__

    def get_prefetch_querysets(self, instances, querysets=None):
        by_model: dict = {}
        for instance in instances:
            by_model.setdefault(instance._meta.concrete_model, []).append(instance.pk)
        condition = Q()
        for model, pks in by_model.items():
            condition |= _record_taggings(model, pks)
        rows = Tagging.objects.filter(condition).select_related("tag")
        bundles: dict = {}
        for row in rows.order_by("tag__name", "tag_id"):
            bundles.setdefault(row.object_id, _Bundle(row.object_id, [])).tags.append(row.tag)
        # (related objects, their key, each instance's key, single, cache name, descriptor)
        return (
            list(bundles.values()),
            lambda bundle: bundle.pk,
            lambda instance: instance.pk,
            True,
            self.cache_name,
            True,
        )


def _forget(record) -> None:
    record.__dict__.pop(TagsOf.cache_name, None)


def _content_type(record) -> ContentType:
    # Concrete models: the GenericRelation's default (promotion kinds, for one, share rows).
    return ContentType.objects.get_for_model(record, for_concrete_model=True)


def _taggings(record):
    return Tagging.objects.filter(content_type=_content_type(record), object_id=record.pk)


# --- writes (services) --------------------------------------------------------------------


def split_names(value: str) -> list[str]:
    """`"a, b,,a"` -> `["a", "b"]`: comma-separated names, blanks dropped, each once."""
    return list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def add_tags(record, names, *, resource_type: str) -> list[Tag]:
    """Attach the tags named `names` (bulk.md: unknown names and tags the record already has
    are ignored); 422 past MAX_TAGS. Records `<type>.tagged` when any was attached. Returns the
    tags attached. The caller holds the record's lock (the write path reads it under it)."""
    wanted = list(Tag.objects.filter(name__in=list(names)).order_by("name", "id"))
    return _attach(record, wanted, resource_type=resource_type)


def remove_tags(record, names) -> int:
    """Detach the tags named `names` (names it does not carry are ignored); the count removed."""
    deleted, _ = _taggings(record).filter(tag__name__in=list(names)).delete()
    _forget(record)
    return deleted


def replace_tags(record, tags, *, resource_type: str) -> list[Tag]:
    """Make `tags` the record's whole set (the `tags` relationship on POST/PATCH; `[]` clears
    it): detaches the others, attaches the new ones (recording `<type>.tagged`)."""
    _check_limit(len({tag.pk for tag in tags}))
    _taggings(record).exclude(tag_id__in=[tag.pk for tag in tags]).delete()
    _forget(record)
    return _attach(record, tags, resource_type=resource_type)


def _attach(record, tags, *, resource_type: str) -> list[Tag]:
    current = set(_taggings(record).values_list("tag_id", flat=True))
    new = list({tag.pk: tag for tag in tags if tag.pk not in current}.values())
    if not new:
        return []
    _check_limit(len(current) + len(new))
    content_type = _content_type(record)
    Tagging.objects.bulk_create(
        [Tagging(tag=tag, content_type=content_type, object_id=record.pk) for tag in new]
    )
    _forget(record)
    names = sorted(
        [tag.name for tag in new]
        + list(Tag.objects.filter(pk__in=current).values_list("name", flat=True))
    )
    emit_event(
        f"{resource_type}.tagged",
        record,
        tags=names,
        added=sorted(tag.name for tag in new),
    )
    return new


def _check_limit(count: int) -> None:
    if count > MAX_TAGS:
        raise ValidationError(
            RELATIONSHIP,
            f"is too long (maximum is {MAX_TAGS} tags)",
            error="too_long",
            relationship=True,
            count=MAX_TAGS,
        )


# --- the declaration of a taggable resource ------------------------------------------------


def _add_trigger(record, value: str, *, ctx, resource_type: str):
    add_tags(record, split_names(value), resource_type=resource_type)
    return record


def _remove_trigger(record, value: str, *, ctx):
    remove_tags(record, split_names(value))
    return record


def _replace_trigger(record, tags: list, *, ctx, resource_type: str):
    replace_tags(record, tags, resource_type=resource_type)
    return record


def tag_triggers(resource_type: str) -> tuple[Trigger, ...]:
    """`_remove_tags` and `_add_tags` (resources.md: U, noSC), in that order: a request that
    swaps a tag on a record carrying ten stays within the limit. Also taken on create, as
    bulk.md lets an import's records carry `_add_tags`."""
    integration = frozenset({INTEGRATION})
    return (
        Trigger("_remove_tags", _remove_trigger, value=str, kinds=integration),
        Trigger(
            "_add_tags",
            partial(_add_trigger, resource_type=resource_type),
            value=str,
            kinds=integration,
        ),
    )


TAGS_REL = Rel(
    "tags",
    many=True,
    create="optional",
    update=True,
    getter=tags_of,
    # One query per document level: the level's taggings with their tags (TagsOf).
    prefetch=("tag_bundle",),
    # Whoever reads the record reads its tags (bulk.md), though only integration tokens list
    # /api/tags.
    through_parent=True,
)


class TagLinks(GenericRelation):
    """A record's taggings, for the `tags_*` filters' joins. Deleting the record leaves them:
    the deletion gets no statement more (a GenericRelation would delete them, one query more
    on every delete of a taggable record, checkout included). Such a tagging matches no
    record, as keys are never reused; deleting the tag removes it."""

    @property
    def bulk_related_objects(self):
        # Django's Collector asks `hasattr(field, "bulk_related_objects")`: absent, no cascade.
        raise AttributeError("bulk_related_objects")


def make_taggable(resource_cls) -> None:
    """Give a taggable type's declaration its `tags` relationship, its two triggers and its
    model the `taggings` GenericRelation (once per model: types may share one)."""
    model = resource_cls.model
    if not any(field.name == "taggings" for field in model._meta.private_fields):
        TagLinks(Tagging).contribute_to_class(model, "taggings")
        model.tag_bundle = TagsOf()
    if RELATIONSHIP not in resource_cls.relationships_map:
        resource_cls.relationships_map = {**resource_cls.relationships_map, RELATIONSHIP: TAGS_REL}
    if "_add_tags" not in resource_cls.triggers.names():
        triggers = resource_cls.triggers
        resource_cls.triggers = type(triggers)(
            *triggers.triggers.values(), *tag_triggers(resource_cls.resource_type)
        )


def parse_tags_relationship(resource_cls, relationships: dict, ctx, errors: list, calls: list):
    """The `tags` relationship of a write, taken out of `relationships`: integration tokens only
    (others 400 PARAM_NOT_ALLOWED, bulk.md), a list of tag identifiers whose tags must exist
    (422 not_found, as other relationships), at most MAX_TAGS. Returns `calls` (the write's
    trigger calls) with the replacement before `_add_tags` and `_remove_tags`, so that those
    apply to the new set."""
    if RELATIONSHIP not in relationships:
        return calls
    body = relationships.pop(RELATIONSHIP)
    pointer = f"/data/relationships/{RELATIONSHIP}"
    if ctx.kind != INTEGRATION:
        raise param_not_allowed(RELATIONSHIP, pointer=pointer)
    linkage = body.get("data", ()) if isinstance(body, dict) else ()
    if not isinstance(body, dict) or "data" not in body or not isinstance(linkage, list):
        errors.append(
            ValidationError(
                RELATIONSHIP,
                "must be an array of resource identifiers",
                error="invalid",
                relationship=True,
            )
        )
        return calls
    ids = []
    for item in linkage:
        if (
            not isinstance(item, dict)
            or item.get("type") != "tags"
            or not isinstance(item.get("id"), str)
        ):
            errors.append(
                ValidationError(
                    RELATIONSHIP,
                    "must be an array of tags identifiers",
                    error="invalid",
                    relationship=True,
                )
            )
            return calls
        ids.append(item["id"][:64])
    ids = list(dict.fromkeys(ids))
    if len(ids) > MAX_TAGS:
        try:
            _check_limit(len(ids))
        except ValidationError as error:
            errors.append(error)
        return calls
    found = {tag.public_id: tag for tag in Tag.objects.filter(public_id__in=ids)} if ids else {}
    for public_id in ids:
        if public_id not in found:
            errors.append(
                ValidationError(
                    RELATIONSHIP,
                    f"tags {public_id} not found",
                    error="not_found",
                    relationship=True,
                )
            )
    if any(public_id not in found for public_id in ids):
        return calls
    replace = Trigger(
        RELATIONSHIP,
        partial(_replace_trigger, resource_type=resource_cls.resource_type),
        value=list,
        kinds=frozenset({INTEGRATION}),
    )
    first_tag_call = next(
        (i for i, (t, _) in enumerate(calls) if t.name in ("_add_tags", "_remove_tags")),
        len(calls),
    )
    return [
        *calls[:first_tag_call],
        (replace, [found[i] for i in ids]),
        *calls[first_tag_call:],
    ]
