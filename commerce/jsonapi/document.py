"""Builds JSON:API documents in Commerce Layer's dialect.

- every resource object has `links.self` and `meta {mode, organization_id}`;
- every relationship object has `links.self` and `links.related`, and `data` (linkage) only when
  that relationship is included along the path that reached the object;
- `included` is flat, each resource at most once, never the primary data again.

Related objects are read from what the queryset prefetched (see `prefetches`), so a document
costs a fixed number of queries whatever its size.
"""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch

from commerce.jsonapi.registry import registry


def resource_meta() -> dict:
    return {"mode": settings.COMMERCE_MODE, "organization_id": settings.ORGANIZATION_ID}


def related_objects(rel, name: str, obj) -> list:
    """The related objects of `obj` for relationship `rel` (a list, possibly empty)."""
    if rel.getter is not None:
        value = rel.getter(obj)
    else:
        try:
            value = getattr(obj, rel.source_for(name))
        except ObjectDoesNotExist:
            value = None
    if rel.many:
        if value is None:
            return []
        return list(value.all()) if hasattr(value, "all") else list(value)
    return [] if value is None else [value]


def prefetches(resource_cls, tree: dict, ctx) -> list:
    """Prefetch lookups for an include tree, each scoped to what the caller may see, then what
    each type's attributes read per row (`_row_needs`: last, so that an include asking for the
    same path with its own queryset goes first). Two relationships on one source (a market's
    `price_list` and `base_price_list`) share one lookup."""
    needs = list(resource_cls.prefetch_related)
    unique = {}
    for lookup in [*_prefetches(resource_cls, tree, ctx, "", needs), *needs]:
        key = lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup
        unique.setdefault(key, lookup)
    return list(unique.values())


def _prefetches(resource_cls, tree: dict, ctx, prefix: str, needs: list) -> list:
    lookups = []
    rels = resource_cls.relationships()
    for name, subtree in tree.items():
        rel = rels[name]
        target = registry.get(rel.types[0]) if len(rel.types) == 1 else None
        if rel.getter is not None:
            # Computed relationships name what they read; they can't be walked further here.
            lookups.extend(_prefixed(lookup, prefix) for lookup in rel.prefetch)
            if target is not None and len(rel.prefetch) == 1:
                needs.extend(_row_needs(target, _path(rel.prefetch[0], prefix)))
            continue
        lookup = f"{prefix}{rel.source_for(name)}"
        if target is not None:
            queryset = (
                target.base_queryset().order_by("created_at", "id")
                if rel.through_parent
                else target.scoped_queryset(ctx)
            )
            lookups.append(Prefetch(lookup, queryset=queryset))
            needs.extend(_row_needs(target, lookup))
            lookups.extend(_prefetches(target, subtree, ctx, f"{lookup}__", needs))
        else:
            lookups.append(lookup)
    return lookups


def _row_needs(target, lookup: str) -> list:
    """What the target's attributes read per row under `lookup` (its `prefetch_related`, and
    its `select_related`: a Prefetch queryset carries those, but a parent that select_related
    the object already, a line item's `order`, makes Django skip that queryset)."""
    return [f"{lookup}__{need}" for need in (*target.select_related, *target.prefetch_related)]


def _path(lookup, prefix: str) -> str:
    return prefix + (lookup.prefetch_through if isinstance(lookup, Prefetch) else lookup)


def _prefixed(lookup, prefix: str):
    """A getter's prefetch (a lookup string, or a Prefetch with its own queryset) under prefix."""
    if isinstance(lookup, Prefetch):
        return Prefetch(prefix + lookup.prefetch_through, queryset=lookup.queryset)
    return prefix + lookup


class DocumentBuilder:
    def __init__(self, request, query, ctx):
        self.request = request
        self.query = query
        self.ctx = ctx
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
        for obj in objects:
            key = self._visit(obj, self._type_of(obj, type_name), self.query.include, nodes, order)
            primary_keys.append(key)
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

    def _visit(self, obj, type_name, tree, nodes, order):
        key = (type_name, obj.pk)
        node = nodes.get(key)
        if node is None:
            node = nodes[key] = {"obj": obj, "type": type_name, "tree": {}}
            order.append(key)
        _merge(node["tree"], tree)
        if tree:
            rels = registry[type_name].relationships()
            for name, subtree in tree.items():
                rel = rels.get(name)
                if rel is None:
                    continue
                for related in related_objects(rel, name, obj):
                    target = rel.target_type(related)
                    if target in registry:
                        self._visit(related, target, subtree, nodes, order)
        return key

    def _render(self, nodes, order) -> dict:
        by_type: dict[str, list] = {}
        for key in order:
            by_type.setdefault(key[0], []).append(key)
        rendered = {}
        for type_name, keys in by_type.items():
            resource_cls = registry[type_name]
            sparse = self.query.fields.get(type_name)
            objs = [nodes[k]["obj"] for k in keys]
            context = {
                "request": self.request,
                "ctx": self.ctx,
                "sparse_fields": sparse,
                "single": type_name == getattr(self, "single_type", None),
                **resource_cls.serializer_context(self.ctx),
            }
            attributes = resource_cls.serializer_class(objs, many=True, context=context).data
            rels = resource_cls.relationships()
            for key, attrs in zip(keys, attributes, strict=True):
                node = nodes[key]
                rendered[key] = self._resource_object(node, resource_cls, rels, attrs, sparse)
        return rendered

    def _resource_object(self, node, resource_cls, rels, attributes, sparse) -> dict:
        obj, type_name, tree = node["obj"], node["type"], node["tree"]
        self_url = self.url(type_name, obj.public_id)
        relationships = {}
        for name, rel in rels.items():
            if sparse is not None and name not in sparse:
                continue
            body = {
                "links": {
                    "self": f"{self_url}/relationships/{name}",
                    "related": f"{self_url}/{name}",
                }
            }
            if name in tree:
                linkage = [
                    {"type": rel.target_type(r), "id": r.public_id}
                    for r in related_objects(rel, name, obj)
                ]
                body["data"] = linkage if rel.many else (linkage[0] if linkage else None)
            relationships[name] = body
        resource = {
            "id": obj.public_id,
            "type": type_name,
            "links": {"self": self_url},
            "attributes": dict(attributes),
        }
        if relationships:
            resource["relationships"] = relationships
        resource["meta"] = resource_meta()
        return resource

    def linkage_document(self, parent, parent_type, name, rel) -> dict:
        related = related_objects(rel, name, parent)
        linkage = [{"type": rel.target_type(r), "id": r.public_id} for r in related]
        url = self.url(parent_type, parent.public_id)
        return {
            "data": linkage if rel.many else (linkage[0] if linkage else None),
            "links": {"self": f"{url}/relationships/{name}", "related": f"{url}/{name}"},
        }


def _merge(into: dict, tree: dict) -> None:
    for name, subtree in tree.items():
        _merge(into.setdefault(name, {}), subtree)
