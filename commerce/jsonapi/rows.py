"""The rows a request names by id: read, or read under their row locks for a write.

A write locks its `locked_through` parent first (a line item's order), then its own row: the
global lock order starts at the parent (orders/locks.py writes it down). A relationship whose
target the write changes (`Rel.lock`, the order a new line item joins) locks that target.
Each lock reads the row with what its resource's writes need (`lock_related`).
"""

from commerce.jsonapi.registry import registry


def unique_row(qs):
    """The row a lookup by a unique key finds, or None. Not `.first()`: ordering one row is
    work for nothing, and compiling an ORDER BY is a good part of a small query's cost."""
    return next(iter(qs.order_by()[:1]), None)


def lock_member(resource_cls, qs, public_id: str):
    """Row `public_id` of `qs` (the caller's reach) under its lock, after its parent's; the
    locked parent is attached to it. None when out of reach."""
    parent = _lock_parent(resource_cls, public_id)
    qs = qs.select_for_update(of=("self",)).select_related(*resource_cls.lock_related)
    instance = unique_row(qs.filter(public_id=public_id))
    if instance is not None and parent is not None:
        setattr(instance, resource_cls.locked_through, parent)
    return instance


def lock_target(target_cls, qs):
    """The one row of `qs` (a relationship's target, within reach) under its lock, or None."""
    return unique_row(qs.select_for_update(of=("self",)).select_related(*target_cls.lock_related))


def _lock_parent(resource_cls, public_id: str):
    """Lock the `locked_through` parent of row `public_id` (None without one), reading it with
    its resource's `lock_related`; one statement (the row is found by a subquery)."""
    if resource_cls.locked_through is None:
        return None
    model = resource_cls.model
    field = model._meta.get_field(resource_cls.locked_through)
    parent_cls = registry[resource_cls.relationships()[resource_cls.locked_through].types[0]]
    parent_ids = model._default_manager.filter(public_id=public_id).values(field.attname)
    return unique_row(
        field.related_model._default_manager.select_for_update(of=("self",))
        .select_related(*parent_cls.lock_related)
        .filter(pk__in=parent_ids.order_by()[:1])
    )
