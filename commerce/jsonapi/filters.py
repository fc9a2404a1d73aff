"""`filter[q][<attributes>_<predicate>]=<value>`: Ransack's syntax on top of django-filter.

A key is split at its longest known predicate suffix; the rest names one or more attributes
(joined by `_or_`), each either an attribute of the resource or a path through its relationships
(`market_code`, `sku_code`, `line_items_sku_code`). Values are cast by django-filter's form fields
for the model field at the end of the path; conditions are Django lookups combined into `Q`
objects, so nothing is ever concatenated into SQL.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q
from django_filters import FilterSet

from commerce.exceptions import BadRequest
from commerce.jsonapi import jsontext, storable

_TRUE = {"true", "1", "t", "yes", "y"}
_FALSE = {"false", "0", "f", "no", "n"}


@dataclass(frozen=True)
class Predicate:
    name: str
    build: Callable  # (path, value) -> Q ; value already cast (scalar, list or bool)
    kind: str = "scalar"  # scalar | list | bool | json
    lookup: str = "exact"  # lookup whose form field casts the values


def _not_null(path):
    return Q(**{f"{path}__isnull": False})


def _like_regex(pattern: str) -> str:
    out = []
    for ch in pattern:
        out.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return "^" + "".join(out) + "$"


def _any(lookup, negate=False):
    """Ransack's `_any`: the predicate holds for at least one value (`not_eq_any`: differs
    from at least one of them)."""

    def build(path, values):
        q = Q()
        for v in values:
            term = Q(**{f"{path}__{lookup}": v})
            q |= (~term & _not_null(path)) if negate else term
        return q

    return build


def _all(lookup, negate=False):
    def build(path, values):
        q = Q()
        for v in values:
            term = Q(**{f"{path}__{lookup}": v})
            q &= (~term & _not_null(path)) if negate else term
        return q

    return build


def _matches_any(negate=False, all_=False):
    def build(path, values):
        terms = [Q(**{f"{path}__iregex": _like_regex(v)}) for v in values]
        if negate:
            terms = [~t & _not_null(path) for t in terms]
        q = Q()
        for t in terms:
            q = (q & t) if all_ else (q | t)
        return q

    return build


def _present(path, flag, string):
    present = _not_null(path) & (~Q(**{path: ""}) if string else Q())
    return present if flag else ~present


def _build_table() -> dict[str, Predicate]:
    p: dict[str, Predicate] = {}

    def add(name, build, kind="scalar", lookup="exact"):
        p[name] = Predicate(name, build, kind, lookup)

    add("eq", lambda path, v: Q(**{path: v}))
    add("eq_or_null", lambda path, v: Q(**{path: v}) | Q(**{f"{path}__isnull": True}))
    add("not_eq", lambda path, v: ~Q(**{path: v}) & _not_null(path))
    add("not_eq_or_null", lambda path, v: ~Q(**{path: v}) | Q(**{f"{path}__isnull": True}))
    for op, lookup in (("lt", "lt"), ("lteq", "lte"), ("gt", "gt"), ("gteq", "gte")):
        add(op, (lambda lk: lambda path, v: Q(**{f"{path}__{lk}": v}))(lookup), lookup=lookup)
        add(f"{op}_any", _any(lookup), "list", lookup)
        add(f"{op}_all", _all(lookup), "list", lookup)
    add("eq_any", _any("exact"), "list")
    add("eq_all", _all("exact"), "list")
    add("not_eq_any", _any("exact", negate=True), "list")
    add("not_eq_all", _all("exact", negate=True), "list")
    add("in", lambda path, vs: Q(**{f"{path}__in": vs}), "list")
    add("not_in", lambda path, vs: ~Q(**{f"{path}__in": vs}) & _not_null(path), "list")
    add(
        "not_in_or_null",
        lambda path, vs: ~Q(**{f"{path}__in": vs}) | Q(**{f"{path}__isnull": True}),
        "list",
    )
    add("matches", lambda path, v: Q(**{f"{path}__iregex": _like_regex(v)}), lookup="raw")
    add(
        "does_not_match",
        lambda path, v: ~Q(**{f"{path}__iregex": _like_regex(v)}) & _not_null(path),
        lookup="raw",
    )
    add("matches_any", _matches_any(), "list", "raw")
    add("matches_all", _matches_any(all_=True), "list", "raw")
    add("does_not_match_any", _matches_any(negate=True), "list", "raw")
    add("does_not_match_all", _matches_any(negate=True, all_=True), "list", "raw")
    for name, lookup in (("cont", "icontains"), ("start", "istartswith"), ("end", "iendswith")):
        add(name, (lambda lk: lambda path, v: Q(**{f"{path}__{lk}": v}))(lookup), lookup="raw")
        add(
            f"not_{name}",
            (lambda lk: lambda path, v: ~Q(**{f"{path}__{lk}": v}) & _not_null(path))(lookup),
            lookup="raw",
        )
        add(f"{name}_any", _any(lookup), "list", "raw")
        add(f"{name}_all", _all(lookup), "list", "raw")
        add(f"not_{name}_any", _any(lookup, negate=True), "list", "raw")
        add(f"not_{name}_all", _all(lookup, negate=True), "list", "raw")
    # Ransack's i_ names, which Commerce Layer does not document: aliases (matching is
    # case-insensitive anyway).
    p["i_cont"] = Predicate("i_cont", p["cont"].build, "scalar", "raw")
    p["not_i_cont"] = Predicate("not_i_cont", p["not_cont"].build, "scalar", "raw")
    p["i_cont_any"] = Predicate("i_cont_any", p["cont_any"].build, "list", "raw")
    p["i_cont_all"] = Predicate("i_cont_all", p["cont_all"].build, "list", "raw")
    add("null", lambda path, flag: Q(**{f"{path}__isnull": flag}), "bool")
    add("not_null", lambda path, flag: Q(**{f"{path}__isnull": not flag}), "bool")
    add("present", lambda path, flag: _present(path, flag, True), "bool")  # see build_filter_q
    add("blank", lambda path, flag: _present(path, not flag, True), "bool")
    add("true", lambda path, flag: Q(**{path: flag}), "bool")
    add("false", lambda path, flag: Q(**{path: not flag}), "bool")
    add("jcont", lambda path, v: Q(**{f"{path}__contains": v}), "json")
    return p


PREDICATES = _build_table()
# Longest first, so that `not_eq_or_null` wins over `eq_or_null` and `null`.
_SUFFIXES = sorted(PREDICATES, key=len, reverse=True)


@dataclass(frozen=True)
class FilterPath:
    orm_path: str
    model_field: models.Field
    crosses_many: bool
    # The relationships a storefront filter walks, each (model attribute, the caller's scoped
    # queryset of its target type): the condition holds through related rows within reach only
    # (limits.md §5). Empty for own attributes and for integration tokens (plain joins).
    through: tuple = ()

    @property
    def leaf_path(self) -> str:
        """The ORM path from the last relationship's target (the whole path without one)."""
        if not self.through:
            return self.orm_path
        return self.orm_path[len("__".join(source for source, _ in self.through)) + 2 :]


def split_key(key: str) -> tuple[str, Predicate] | None:
    for suffix in _SUFFIXES:
        if key.endswith("_" + suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix) - 1], PREDICATES[suffix]
    return None


def _not_allowed(key: str) -> BadRequest:
    return BadRequest(
        f"{key} is not allowed.",
        title="Filter not allowed",
        code="FILTER_NOT_ALLOWED",
        parameter=f"filter[q][{key}]",
    )


def _invalid_value(key: str, value) -> BadRequest:
    return BadRequest(
        f"{value} is not a valid value for {key}.",
        title="Invalid filter value",
        code="INVALID_FILTER_VALUE",
        parameter=f"filter[q][{key}]",
    )


def _cast(key: str, predicate: Predicate, path: FilterPath, model, raw: str):
    if predicate.kind == "bool":
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise _invalid_value(key, raw)
    if predicate.kind == "json":
        if connection.vendor != "postgresql":
            raise BadRequest(
                f"{key}: the _jcont predicate needs PostgreSQL.",
                title="Filter not allowed",
                code="FILTER_NOT_ALLOWED",
                parameter=f"filter[q][{key}]",
            )
        try:
            value = jsontext.loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, dict) or storable.find_unstorable(value) is not None:
            raise _invalid_value(key, raw)
        return value
    values = raw.split(",") if predicate.kind == "list" else [raw]
    if predicate.lookup == "raw":
        return values if predicate.kind == "list" else values[0]
    form_field = _form_field(model, path, predicate.lookup)
    is_json = isinstance(path.model_field, models.JSONField)
    bounds = storable.integer_range(path.model_field)
    cast = []
    for item in values:
        if is_json and not _shallow_json(item):
            raise _invalid_value(key, item)
        try:
            cleaned = form_field.clean(item)
        except DjangoValidationError:
            raise _invalid_value(key, item) from None
        if cleaned is None:
            raise _invalid_value(key, item)
        # Integers beyond the column's storage type never reach the database (limits.md 1).
        if (
            bounds is not None
            and isinstance(cleaned, Decimal | int)
            and not (bounds[0] <= cleaned <= bounds[1])
        ):
            raise _invalid_value(key, item)
        if is_json and storable.find_unstorable(cleaned) is not None:
            raise _invalid_value(key, item)
        cast.append(cleaned)
    return cast if predicate.kind == "list" else cast[0]


def _shallow_json(text: str) -> bool:
    try:
        jsontext.check_depth(text.encode("utf-8", "surrogatepass"))
    except jsontext.TooDeep:
        return False
    return True


def _form_field(model, path: FilterPath, lookup: str):
    """django-filter's filter (and so its form field) for this model field and lookup."""
    field = path.model_field
    if field.choices:
        # The API takes the enum's string values; a ChoiceFilter would also accept labels.
        return _plain_field(field)
    if isinstance(field, models.JSONField) and lookup != "isnull":
        # django-filter has no filter for JSON: the value is a JSON document (metadata_eq).
        from django import forms

        return forms.JSONField()
    flt = FilterSet.filter_for_field(field, path.orm_path, lookup_expr=lookup)
    return flt.field


def _plain_field(field):
    from django import forms

    return forms.CharField()


def build_filter_q(model, resolver, filters: dict[str, str]) -> tuple[Q, bool]:
    """Q for all filters (ANDed) and whether any path crosses a to-many relationship (joined).

    A path walked within the caller's reach (`FilterPath.through`) is no join but an EXISTS over
    the target's scoped queryset, so that records out of reach never change an answer: a SKU
    matches `prices_amount_cents_eq=3000` when it has a price the caller can see with that
    amount. Conditions through the same relationship hold for one related row, as they do
    through a join."""
    combined = Q()
    crosses_many = False
    reached = []  # (through, condition on the last target, whether a missing row meets it)
    for key, raw in filters.items():
        split = split_key(key)
        if split is None:
            raise _not_allowed(key)
        attribute_part, predicate = split
        if raw == "":
            continue  # Ransack drops empty conditions
        names = attribute_part.split("_or_")
        paths = []
        for name in names:
            path = resolver(name)
            if path is None:
                raise _not_allowed(key)
            paths.append(path)
        if predicate.lookup == "raw" or predicate.kind in ("bool", "json"):
            string_field = all(
                isinstance(p.model_field, models.CharField | models.TextField) for p in paths
            )
            if predicate.lookup == "raw" and not string_field:
                raise _not_allowed(key)
        q = Q()
        for path in paths:
            value = _cast(key, predicate, path, model, raw)
            term = _condition(predicate, path, value)
            if path.through:
                walked = (path.through, term, _holds_for_null(predicate, value))
                if len(paths) == 1:
                    reached.append(walked)  # ANDed with the others through the same rows
                    continue
                term = _within_reach(model, [walked])
            else:
                crosses_many |= path.crosses_many
            q |= term
        combined &= q
    if reached:
        combined &= _within_reach(model, reached)
    return combined, crosses_many


def _condition(predicate: Predicate, path: FilterPath, value) -> Q:
    if predicate.name in ("present", "blank"):
        is_string = isinstance(path.model_field, models.CharField | models.TextField)
        wanted = value if predicate.name == "present" else not value
        return _present(path.leaf_path, wanted, is_string)
    return predicate.build(path.leaf_path, value)


def _holds_for_null(predicate: Predicate, value) -> bool:
    """Whether the condition holds where there is no related row (a join's NULL)."""
    if predicate.name in ("eq_or_null", "not_eq_or_null", "not_in_or_null"):
        return True
    if predicate.name in ("null", "blank"):
        return bool(value)
    if predicate.name in ("not_null", "present"):
        return not value
    return False


def _within_reach(model, walked: list) -> Q:
    """Conditions through relationships as EXISTS over each target's scoped queryset, grouped
    by relationship so that conditions through one relationship hold for the same related row.
    A record with no related row within reach meets the group when every condition holds for
    NULL (as through a LEFT JOIN that found nothing)."""
    q = Q()
    groups: dict[str, tuple] = {}
    for through, term, null in walked:
        if not through:
            q &= term
            continue
        (source, scoped), rest = through[0], through[1:]
        groups.setdefault(source, (scoped, []))[1].append((rest, term, null))
    for source, (scoped, members) in groups.items():
        field = model._meta.get_field(source)
        related = scoped.filter(_correlated(field))
        met = Q(Exists(related.filter(_within_reach(field.related_model, members))))
        if all(null for _, _, null in members):
            met |= ~Q(Exists(related))
        q &= met
    return q


def _correlated(field) -> Q:
    """The rows of `field`'s target related to the outer query's row."""
    if field.concrete:  # a foreign key on the outer model
        return Q(**{field.target_field.attname: OuterRef(field.attname)})
    return Q(**{field.field.attname: OuterRef("pk")})  # the target's foreign key to it
