"""Builds JSON:API documents in Commerce Layer's dialect.

- every resource object has `links.self` and `meta {mode, organization_id}`;
- every relationship object has `links.self` and `links.related`, and `data` (linkage) only when
  that relationship is included along the path that reached the object;
- `included` is flat, each resource at most once, never the primary data again.

Related objects are read from what the queryset prefetched (see `prefetches`), so a document
costs a fixed number of queries whatever its size. The include walk visits each record once per
level of the include tree (`_Walk`), so a path that loops back (`line_items.order.line_items`)
costs what it returns (limits.md section 1).

Attributes render through per-type field plans (`render_attributes`): a serializer's fields are
built once per thread and type, plain model columns are read and converted without DRF's
per-field machinery, money triplets are memoised, and relationship links and `meta` are
assembled from per-type constants. A serializer with output code of its own runs as written.

A document built for an answer (`wire=True`, what the views build: JSONAPIRenderer serialises it)
holds the relationships of a resource whose relationships carry links only as JSON text
(`orjson.Fragment`), one string per resource from its type's template, instead of a dict per
relationship: a 25-order list holds ~3 000 of them. Documents kept or read as data (webhook
payloads, exports) are plain dicts throughout.
"""

import threading
from functools import partial

import orjson
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from rest_framework import fields as drf_fields
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.serializers import ListSerializer

from commerce import money
from commerce.jsonapi import fields as f
from commerce.jsonapi.declaration import model_field
from commerce.jsonapi.prefetch import compiled_prefetch
from commerce.jsonapi.registry import registry
from commerce.jsonapi.secrets import sees_secrets
from commerce.jsonapi.serializers import ResourceSerializer


def resource_meta() -> dict:
    return {"mode": settings.COMMERCE_MODE, "organization_id": settings.ORGANIZATION_ID}


def related_objects(rel, name: str, obj) -> list:
    """The related objects of `obj` for relationship `rel` (a list, possibly empty), handed to
    the relationship's `reached` hook when it has one."""
    if rel.getter is not None:
        value = rel.getter(obj)
    else:
        try:
            value = getattr(obj, rel.source_for(name))
        except ObjectDoesNotExist:
            value = None
    if rel.many:
        if value is None:
            related = []
        else:
            related = list(value.all()) if hasattr(value, "all") else list(value)
    else:
        related = [] if value is None else [value]
    if rel.reached is not None and related:
        rel.reached(obj, related)
    return related


def prefetches(resource_cls, tree: dict, ctx) -> list:
    """Prefetch lookups for an include tree, each scoped to what the caller may see, then what
    each type's attributes read per row (`_row_needs`: last, so that an include asking for the
    same path with its own queryset goes first). Two relationships on one source (a market's
    `price_list` and `base_price_list`) share one lookup."""
    needs = list(resource_cls.prefetch_related)
    unique = {}
    for lookup in [*_prefetches(resource_cls, tree, ctx, "", needs), *needs]:
        key = lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup
        if key not in unique:
            unique[key] = lookup if isinstance(lookup, Prefetch) else _plain(resource_cls, lookup)
    return list(unique.values())


def _plain(resource_cls, lookup: str):
    """A lookup of what attributes read (a shipment's stock line items): a reverse foreign key
    at its end reads the related rows as Django would, its SQL compiled once (prefetch.py)."""
    field = model_field(resource_cls.model, lookup)
    if field is None or not (field.one_to_many and field.auto_created):
        return lookup
    model = field.related_model
    manager = model._default_manager
    key = (resource_cls, lookup)
    return Prefetch(
        lookup, compiled_prefetch(manager.all(), _all_of(manager), key, None, field.field)
    )


def _all_of(manager):
    return lambda ctx: manager.all()


def _prefetches(resource_cls, tree: dict, ctx, prefix: str, needs: list, back=None) -> list:
    """`back`: how the objects at `prefix` were reached, when that was a to-many read through a
    foreign key back to the parent (an order's line items): (that key's name, the parent's
    class, the parent's prefix, the parent's own `back`). Django gives each of those rows its
    parent instance, so a path that turns back (`line_items.order...`) is the parent again: its
    subtree is prefetched at the parent's prefix, once, instead of a lookup per turn whose object
    lists Django builds by multiplying the rows (`line_items__order__line_items` lists every
    line item once per line item)."""
    lookups = []
    rels = resource_cls.relationships()
    for name, subtree in tree.items():
        rel = rels[name]
        target = registry.get(rel.types[0]) if len(rel.types) == 1 else None
        if (
            back is not None
            and rel.getter is None
            and rel.source_for(name) == back[0]
            and target is back[1]
        ):
            lookups.extend(_prefetches(target, subtree, ctx, back[2], needs, back[3]))
            continue
        if rel.getter is not None:
            # Computed relationships name what they read; they can't be walked further here.
            lookups.extend(_prefixed(lookup, prefix) for lookup in rel.prefetch)
            if target is not None and len(rel.prefetch) == 1:
                needs.extend(_row_needs(target, _path(rel.prefetch[0], prefix)))
            elif target is None:
                # Polymorphic (a line item's `item`): each one-level lookup reaches one type.
                for lookup in rel.prefetch:
                    reached = _type_reached(resource_cls, rel, lookup)
                    if reached is not None:
                        needs.extend(_row_needs(reached, _path(lookup, prefix)))
            continue
        lookup = f"{prefix}{rel.source_for(name)}"
        if target is not None:
            source = rel.source_for(name)
            build = partial(_related_queryset, resource_cls, source, target, rel.through_parent)
            queryset = build(ctx)
            back_key = _reverse_key(resource_cls, source)
            if back_key is not None:  # its SQL compiled once (prefetch.py)
                key = (resource_cls, source, target, rel.through_parent)
                queryset = compiled_prefetch(queryset, build, key, ctx, back_key)
            lookups.append(Prefetch(lookup, queryset=queryset))
            needs.extend(_row_needs(target, lookup))
            key = _key_to_parent(resource_cls, source, queryset)
            turn = None if key is None else (key, resource_cls, prefix, back)
            lookups.extend(_prefetches(target, subtree, ctx, f"{lookup}__", needs, turn))
        else:
            lookups.append(lookup)
    return lookups


def _related_queryset(resource_cls, source: str, target, through_parent: bool, ctx):
    """What an include of `source` reads: the target's rows within `ctx`'s reach (all of them
    for a relationship reached through its parent), without a join back to the parent."""
    queryset = (
        target.base_queryset().order_by("created_at", "id")
        if through_parent
        else target.scoped_queryset(ctx)
    )
    return _without_parent_join(queryset, resource_cls, source, target)


def _reverse_key(resource_cls, source: str):
    """The foreign key of a to-many `source` that points back to the parent (a line item's
    `order` for an order's `line_items`), None for any other relationship."""
    try:
        field = resource_cls.model._meta.get_field(source)
    except Exception:
        return None
    return field.field if field.one_to_many and field.auto_created else None


def _without_parent_join(queryset, resource_cls, source: str, target):
    """A to-many read through a foreign key back to the parent (an order's line items) needs no
    join to the parent: Django's prefetch gives each row its parent instance. The target's
    `select_related` of that key (a line item's `order`, 100 columns) is dropped there."""
    try:
        field = resource_cls.model._meta.get_field(source)
    except Exception:
        return queryset
    if not (field.one_to_many and field.auto_created) or not isinstance(
        queryset.query.select_related, dict
    ):
        return queryset
    back = field.field.name
    if back not in target.select_related:
        return queryset
    keep = [s for s in target.select_related if s != back and not s.startswith(f"{back}__")]
    queryset = queryset.select_related(None)
    return queryset.select_related(*keep) if keep else queryset


def _key_to_parent(resource_cls, source: str, queryset) -> str | None:
    """The name of the foreign key by which the rows of a to-many `source` point back to their
    parent, when Django's prefetch sets it to the parent instance itself (a reverse foreign key
    that the queryset does not join: a joined one would be a copy)."""
    try:
        field = resource_cls.model._meta.get_field(source)
    except Exception:
        return None
    if not (field.one_to_many and field.auto_created):
        return None
    name = field.field.name
    joined = queryset.query.select_related
    if joined is True or (isinstance(joined, dict) and name in joined):
        return None
    return name


def _row_needs(target, lookup: str) -> list:
    """What the target's attributes read per row under `lookup` (its `prefetch_related`, and
    its `select_related`: a Prefetch queryset carries those, but a parent that select_related
    the object already, a line item's `order`, makes Django skip that queryset)."""
    return [f"{lookup}__{need}" for need in (*target.select_related, *target.prefetch_related)]


def _type_reached(resource_cls, rel, lookup):
    """The resource class among `rel`'s types whose model a one-level `lookup` of
    `resource_cls` leads to (None when it is deeper or leads elsewhere)."""
    path = lookup.prefetch_through if isinstance(lookup, Prefetch) else lookup
    if "__" in path:
        return None
    try:
        model = resource_cls.model._meta.get_field(path).related_model
    except Exception:
        return None
    for type_name in rel.types:
        candidate = registry.get(type_name)
        if candidate is not None and candidate.model is model:
            return candidate
    return None


def _path(lookup, prefix: str) -> str:
    return prefix + (lookup.prefetch_through if isinstance(lookup, Prefetch) else lookup)


def _prefixed(lookup, prefix: str):
    """A getter's prefetch (a lookup string, or a Prefetch with its own queryset) under prefix."""
    if isinstance(lookup, Prefetch):
        return Prefetch(prefix + lookup.prefetch_through, queryset=lookup.queryset)
    return prefix + lookup


class DocumentBuilder:
    def __init__(self, request, query, ctx, *, wire: bool = False):
        self.request = request
        self.query = query
        self.ctx = ctx
        self.wire = wire  # the document only goes to JSONAPIRenderer (module docstring)
        self.base = request.build_absolute_uri("/api/")

    def url(self, type_name: str, public_id: str) -> str:
        return f"{self.base}{type_name}/{public_id}"

    # ---------------------------------------------------------------------------------------

    def document(self, primary, type_name: str, *, many: bool, meta=None, links=None) -> dict:
        self.single_type = None if many else type_name
        objects = list(primary) if many else ([] if primary is None else [primary])
        nodes: dict = {}
        order: list = []
        primary_keys = []
        walk = _Walk(self._visit, nodes, order)
        for obj in objects:
            target = self._type_of(obj, type_name)
            walk.step(obj, target, self.query.include)
            primary_keys.append((target, obj.pk))
        rendered = self._render(nodes, order)
        data = [rendered[k] for k in primary_keys]
        primary_set = set(primary_keys)
        doc = {"data": data if many else (data[0] if data else None)}
        included = [rendered[k] for k in order if k not in primary_set]
        if included:
            doc["included"] = included
        if meta is not None:
            doc["meta"] = meta
        if links is not None:
            doc["links"] = links
        return doc

    @staticmethod
    def _type_of(obj, default: str) -> str:
        return getattr(obj, "resource_type_name", None) or default

    def _by_type(self, order) -> dict[str, list]:
        """The nodes' keys grouped by type (each type's attributes render in one go)."""
        by_type: dict[str, list] = {}
        for key in order:
            by_type.setdefault(key[0], []).append(key)
        return by_type

    def _serializer_context(self, type_name: str, resource_cls, sparse) -> dict:
        return {
            "request": self.request,
            "ctx": self.ctx,
            "sparse_fields": sparse,
            "single": type_name == getattr(self, "single_type", None),
            **resource_cls.serializer_context(self.ctx),
        }

    def _visit(self, obj, type_name, tree, walk):
        """Record `obj` as a node (once per type and pk) and walk its included relationships,
        keeping the related objects it walked (when `obj` is the instance the node renders) for
        the linkage, instead of reading them a second time."""
        nodes, order = walk.nodes, walk.order
        key = (type_name, obj.pk)
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = {"obj": obj, "type": type_name, "tree": {}, "related": {}}
            order.append(key)
        if not tree:
            return
        _merge(node["tree"], tree)
        rels = registry[type_name].relationships()
        walked = node["related"] if node["obj"] is obj else {}
        for name, subtree in tree.items():
            rel = rels.get(name)
            if rel is None:
                continue
            related = walked.get(name)
            if related is None:
                related = walked[name] = related_objects(rel, name, obj)
            for other in related:
                target = rel.target_type(other)
                if target in registry:
                    walk.step(other, target, subtree)

    def _render(self, nodes, order) -> dict:
        rendered = {}
        meta = resource_meta()  # one object shared by every resource of the document
        for type_name, keys in self._by_type(order).items():
            resource_cls = registry[type_name]
            sparse = self.query.fields.get(type_name)
            objs = [nodes[k]["obj"] for k in keys]
            context = self._serializer_context(type_name, resource_cls, sparse)
            attributes = render_attributes(resource_cls.serializer_class, objs, context, sparse)
            plan = _relationship_plan(resource_cls, sparse)
            rels = resource_cls.relationships()
            links_text = _links_template(plan) if self.wire and plan else None
            planned = {name for name, *_ in plan}
            prefix = f"{self.base}{type_name}/"
            for key, attrs in zip(keys, attributes, strict=True):
                node = nodes[key]
                obj, tree, walked = node["obj"], node["tree"], node["related"]
                self_url = f"{prefix}{obj.public_id}"
                if links_text is not None and not any(name in planned for name in tree):
                    text = links_text.replace(_URL, orjson.dumps(self_url)[1:-1])
                    rendered[key] = _resource(
                        obj, type_name, self_url, attrs, orjson.Fragment(text), meta
                    )
                    continue
                # Dicts: a document kept as data, or included relationships carrying linkage
                relationships = {
                    name: {"links": {"self": self_url + own, "related": self_url + related}}
                    for name, _, own, related in plan
                }
                for name in tree:  # the included ones carry their linkage too
                    rel = rels.get(name)
                    if rel is None or name not in relationships:
                        continue
                    related = walked.get(name)
                    if related is None:
                        related = related_objects(rel, name, obj)
                    relationships[name]["data"] = linkage(rel, related)
                rendered[key] = _resource(obj, type_name, self_url, attrs, relationships, meta)
        return rendered

    def linkage_document(self, parent, parent_type, name, rel) -> dict:
        url = self.url(parent_type, parent.public_id)
        return {
            "data": linkage(rel, related_objects(rel, name, parent)),
            "links": {"self": f"{url}/relationships/{name}", "related": f"{url}/{name}"},
        }


class _Walk:
    """One document's include walk: the resource nodes by (type, pk) in the order first reached,
    and the (include level, record) pairs already visited. A record reached again at the same
    level of the include tree (an order's line items each leading back to the order) was walked
    from there once already, with the same result: the walk costs what the document holds, not
    the product of the paths that loop back (limits.md section 1)."""

    __slots__ = ("visit", "nodes", "order", "seen")

    def __init__(self, visit, nodes: dict, order: list):
        self.visit = visit
        self.nodes = nodes
        self.order = order
        self.seen: set = set()

    def step(self, obj, type_name: str, tree: dict) -> None:
        # The level is the include subtree still to walk, by identity: a subtree object is
        # what the walk below this record depends on.
        level = (id(tree), type_name, obj.pk)
        if level not in self.seen:
            self.seen.add(level)
            self.visit(obj, type_name, tree, self)


def linkage(rel, related) -> list[dict] | dict | None:
    """A relationship's resource linkage: identifiers of the `related` records, one (or null)
    for a to-one."""
    identifiers = [{"type": rel.target_type(r), "id": r.public_id} for r in related]
    if rel.many:
        return identifiers
    return identifiers[0] if identifiers else None


def _resource(obj, type_name, self_url, attributes, relationships, meta) -> dict:
    """A resource object, its members in the order every document shows them."""
    resource = {
        "id": obj.public_id,
        "type": type_name,
        "links": {"self": self_url},
        "attributes": attributes,
    }
    if relationships:
        resource["relationships"] = relationships
    resource["meta"] = meta
    return resource


def _merge(into: dict, tree: dict) -> None:
    for name, subtree in tree.items():
        _merge(into.setdefault(name, {}), subtree)


# Where a resource's URL goes in its type's links template: orjson writes "\0" as this escape,
# which no relationship name or suffix holds.
_URL = b"\\u0000"


def _links_template(plan) -> bytes:
    """The `relationships` member of a resource of `plan`'s type whose relationships carry
    links only, as JSON text with _URL where the resource's URL goes."""
    return orjson.dumps(
        {
            name: {"links": {"self": "\0" + own, "related": "\0" + related}}
            for name, _, own, related in plan
        }
    )


def _relationship_plan(resource_cls, sparse) -> list:
    """(name, rel, links.self suffix, links.related suffix) of each relationship rendered."""
    return [
        (name, rel, f"/relationships/{name}", f"/{name}")
        for name, rel in resource_cls.relationships().items()
        if sparse is None or name in sparse
    ]


# --- attributes through field plans ---------------------------------------------------------


def render_attributes(serializer_class, objs: list, context: dict, sparse) -> list[dict]:
    """The attributes of `objs`, equal to `serializer_class(objs, many=True, context=...).data`.

    A ResourceSerializer that keeps the base class's output code renders through its plan; any
    other (its own `to_representation`, a list serializer of its own) runs as written."""
    ctx = context.get("ctx")
    key = (serializer_class, None if sparse is None else frozenset(sparse), sees_secrets(ctx))
    plans = getattr(_plans, "by_key", None)
    if plans is None:
        plans = _plans.by_key = {}
    plan = plans.get(key)
    if plan is None:
        if len(plans) >= _PLANS_KEPT:  # clients choose the fieldsets: keep memory bounded
            plans.clear()
        plan = plans[key] = AttributePlan.build(serializer_class, sparse, ctx)
    if plan is False:
        return [dict(a) for a in serializer_class(objs, many=True, context=context).data]
    if plan.busy:  # re-entered (a field rendering a document of its own): a fresh plan
        plan = AttributePlan.build(serializer_class, sparse, ctx)
    return plan.render(objs, context)


# Plans hold a serializer instance whose context is set per call: one set of plans per thread,
# at most _PLANS_KEPT of them (a plan per type and sparse fieldset the clients asked for).
_plans = threading.local()
_PLANS_KEPT = 512

# Field classes whose to_representation is a plain conversion of a non-null column value (DRF's
# own, or ours that only change parsing), matched on the exact class so that a subclass with
# its own output falls back to calling the field.
_AS_STR = {
    drf_fields.CharField,
    drf_fields.EmailField,
    drf_fields.URLField,
    drf_fields.SlugField,
    f.StrictCharField,
    f.StrictEmailField,
    f.StrictURLField,
}
_AS_INT = {drf_fields.IntegerField, f.StrictIntegerField}
_AS_FLOAT = {drf_fields.FloatField, f.StrictFloatField}
_AS_BOOL = {drf_fields.BooleanField, f.StrictBooleanField}
_AS_JSON = {drf_fields.JSONField, f.MetadataField}
_AS_CHOICE = {drf_fields.ChoiceField, f.StrictChoiceField}


def _identity(value):
    return value


def _converter(field):
    """A fast equivalent of `field.to_representation` for a non-null value, or None."""
    cls = type(field)
    if cls in _AS_STR:
        return str
    if cls in _AS_INT:
        return int
    if cls in _AS_FLOAT:
        return float
    if cls is f.TimestampField:
        return field.to_representation
    if cls in _AS_BOOL:
        represent = field.to_representation
        return lambda value: value if value.__class__ is bool else represent(value)
    if cls in _AS_JSON and not field.binary:
        return _identity
    if cls in _AS_CHOICE:
        choices = field.choice_strings_to_values
        return lambda value: choices.get(str(value), value)
    return None


class AttributePlan:
    """How one serializer class renders with one sparse fieldset, worked out once.

    steps: (name, column, convert, field) per readable field; `column` is set where the field
    reads a plain model column with a known conversion, else the bound field is called as DRF
    would (get_attribute, SkipField, None stays None, to_representation).
    money: (cents attribute, currency attribute, [(key, 0 cents | 1 float | 2 formatted)]).
    """

    def __init__(self, serializer, steps: list, money_plan: list):
        self.serializer = serializer
        self.steps = steps
        self.money = money_plan
        self.busy = False

    @classmethod
    def build(cls, serializer_class, sparse, ctx=None):
        meta = getattr(serializer_class, "Meta", None)
        if (
            not issubclass(serializer_class, ResourceSerializer)
            or serializer_class.to_representation is not ResourceSerializer.to_representation
            or getattr(meta, "list_serializer_class", ListSerializer) is not ListSerializer
        ):
            return False
        # The caller's kind decides whether secrets are rendered (a plan per kind: `key`).
        serializer = serializer_class(context={"sparse_fields": sparse, "ctx": ctx})
        model = meta.model
        columns = {c.name for c in model._meta.concrete_fields if not c.is_relation}
        steps = []
        for field in serializer._readable_fields:
            convert = None
            attrs = field.source_attrs
            if len(attrs) == 1 and attrs[0] in columns:
                convert = _converter(field)
            column = attrs[0] if convert is not None else None
            steps.append((field.field_name, column, convert, field))
        money_plan = []
        for name, currency_attr in serializer_class.money.items():
            keys = (f"{name}_cents", f"{name}_float", f"formatted_{name}")
            wanted = [(k, i) for i, k in enumerate(keys) if sparse is None or k in sparse]
            if wanted:
                money_plan.append((keys[0], currency_attr, wanted))
        return cls(serializer, steps, money_plan)

    def render(self, objs: list, context: dict) -> list[dict]:
        self.busy = True
        self.serializer._context = context
        steps, money_plan = self.steps, self.money
        out = []
        try:
            for obj in objs:
                data = {}
                for name, column, convert, field in steps:
                    if column is not None:
                        value = getattr(obj, column)
                        data[name] = None if value is None else convert(value)
                        continue
                    try:
                        value = field.get_attribute(obj)
                    except SkipField:
                        continue
                    check = value.pk if isinstance(value, PKOnlyObject) else value
                    data[name] = None if check is None else field.to_representation(value)
                for cents_attr, currency_attr, wanted in money_plan:
                    cents = getattr(obj, cents_attr, None)
                    triplet = (cents, *_money_pair(cents, getattr(obj, currency_attr, None)))
                    for key, index in wanted:
                        data[key] = triplet[index]
                out.append(data)
        finally:
            self.serializer._context = {}
            self.busy = False
        return out


_MONEY_CACHE: dict = {}


def _money_pair(cents, currency) -> tuple:
    """(float, formatted) of an amount, as money.money_triplet gives them, memoised: a page of
    orders repeats the same few amounts (zero above all) hundreds of times."""
    key = (cents, currency)
    pair = _MONEY_CACHE.get(key)
    if pair is None:
        pair = (money.to_float(cents, currency), money.format_amount(cents, currency))
        if len(_MONEY_CACHE) >= 20_000:
            _MONEY_CACHE.clear()
        _MONEY_CACHE[key] = pair
    return pair
