"""Parsing of the query string: include, fields[...], sort, page[...], filter[q][...].

Everything a client sends is checked here against the resource registry; a bad value is a 400
with Commerce Layer's code (api.md section 2) and `source.parameter` naming it.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings

from commerce.exceptions import BadRequest, param_not_allowed
from commerce.jsonapi import storable

_BRACKETED = re.compile(r"^(?P<family>[a-z_]+)(?P<keys>(\[[^\[\]]*\])*)$")


def _bracket_keys(raw: str) -> tuple[str, list[str]] | None:
    match = _BRACKETED.match(raw)
    if not match:
        return None
    return match["family"], re.findall(r"\[([^\[\]]*)\]", match["keys"])


@dataclass
class Query:
    include: dict = field(default_factory=dict)  # nested tree: {"prices": {"price_list": {}}}
    fields: dict[str, set[str]] = field(default_factory=dict)
    sort: list[tuple[str, bool]] = field(default_factory=list)  # (name, descending)
    page_number: int = 1
    page_size: int = settings.API_PAGE_SIZE_DEFAULT
    page_given: bool = False
    filters: dict[str, str] = field(default_factory=dict)


# page[number] is a 32-bit integer (limits.md): its offset stays far inside any database's range.
PAGE_NUMBER_MAX = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,20}")


def _positive_int(value: str, parameter: str, what: str, highest: int | None = None) -> int:
    # ASCII digits only, a bounded count of them: int() would also take "1_0", " 1" and
    # other scripts' digits, and spend quadratic time on thousands of digits.
    number = int(value) if _DIGITS.fullmatch(value or "") else None
    if number is None or number < 1 or (highest is not None and number > highest):
        raise BadRequest(
            f"{value} is not a valid value for {what}.",
            title="Invalid page value",
            code="INVALID_PAGE_VALUE",
            parameter=parameter,
        )
    return number


# The code a bad value of each parameter family answers with.
_FAMILY_CODES = {
    "filter": ("INVALID_FILTER_VALUE", "Invalid filter value"),
    "page": ("INVALID_PAGE_VALUE", "Invalid page value"),
    "include": ("INVALID_INCLUDE", "Invalid include"),
    "sort": ("INVALID_SORT_CRITERIA", "Invalid sort criteria"),
    "fields": ("INVALID_FIELD", "Invalid field"),
}


def check_storable_params(params) -> None:
    """400 for a query parameter (name or value) holding a NUL or a lone surrogate, before
    anything is parsed or looked up (limits.md section 2). `source.parameter` names it."""
    for key, values in params.lists():
        for text in (key, *values):
            if storable.is_unstorable(text):
                family = _bracket_keys(key)
                family = family[0] if family else key
                code, title = _FAMILY_CODES.get(family, ("BAD_REQUEST", "Bad request"))
                raise BadRequest(
                    f"The parameter contains {storable.describe(text)}, which can't be stored.",
                    title=title,
                    code=code,
                    parameter=key,
                )


def parse_query(params, registry, resource_type: str, *, collection: bool) -> Query:
    """Parse and validate `params` (a QueryDict) for a request on `resource_type`."""
    query = Query()
    for raw_key in params:
        value = params.get(raw_key, "")
        if raw_key == "include":
            query.include = parse_include(value, registry, resource_type)
            continue
        if raw_key == "sort":
            if not collection:
                raise param_not_allowed("sort", parameter="sort")
            query.sort = parse_sort(value, registry, resource_type)
            continue
        parsed = _bracket_keys(raw_key)
        family, keys = parsed if parsed else (raw_key, [])
        if family == "fields" and len(keys) == 1:
            query.fields[keys[0]] = parse_fields(keys[0], value, registry, raw_key)
        elif family == "page" and parsed and collection:
            if keys == ["number"]:
                query.page_number = _positive_int(value, raw_key, "page[number]", PAGE_NUMBER_MAX)
            elif keys == ["size"]:
                size = _positive_int(value, raw_key, "page[size]")
                if size > settings.API_PAGE_SIZE_MAX:
                    raise BadRequest(
                        f"size exceeds maximum page size of {settings.API_PAGE_SIZE_MAX}.",
                        title="Invalid page value",
                        code="INVALID_PAGE_VALUE",
                        parameter=raw_key,
                    )
                query.page_size = size
                query.page_given = True
            else:
                raise param_not_allowed(raw_key, parameter=raw_key)
        elif family == "filter" and collection:
            if len(keys) == 2 and keys[0] == "q" and keys[1]:
                query.filters[keys[1]] = value
            elif len(keys) == 0 or not parsed:
                raise BadRequest(
                    f"{raw_key} is not a valid filter syntax.",
                    title="Invalid filters syntax",
                    code="INVALID_FILTERS_SYNTAX",
                    parameter=raw_key,
                )
            else:
                name = keys[-1] or raw_key
                raise BadRequest(
                    f"{name} is not allowed.",
                    title="Filter not allowed",
                    code="FILTER_NOT_ALLOWED",
                    parameter=raw_key,
                )
        else:
            raise param_not_allowed(raw_key, parameter=raw_key)
    return query


# limits.md section 1: an include costs what it returns. Checked on the text, before any path is
# walked through the registry.
INCLUDE_DEPTH_MAX = 3
INCLUDE_PATHS_MAX = 20


def parse_include(value: str, registry, resource_type: str) -> dict:
    """The include tree of `value` (`a,b.c` -> {"a": {}, "b": {"c": {}}}), each name checked
    against the relationships of the types the path reaches.

    At most INCLUDE_PATHS_MAX distinct paths, each at most INCLUDE_DEPTH_MAX names deep; beyond
    either, 400 INVALID_INCLUDE naming the limit. A path given twice counts once: it adds
    nothing to the document (`line_items,line_items` is one path). A path and its prefix
    (`line_items,line_items.sku`) are two, as written."""
    tree: dict = {}
    if value == "":
        return tree
    paths = list(dict.fromkeys(value.split(",")))
    if len(paths) > INCLUDE_PATHS_MAX:
        raise _include_limit(
            f"include names {len(paths)} paths, more than the limit of {INCLUDE_PATHS_MAX}"
        )
    for path in paths:
        if path.count(".") >= INCLUDE_DEPTH_MAX:
            raise _include_limit(
                f"{path} is deeper than the limit of {INCLUDE_DEPTH_MAX} relationships per path"
            )
    for path in paths:
        node = tree
        current_types = (resource_type,)
        if not path:
            raise _invalid_include(path, resource_type)
        for name in path.split("."):
            rels = [registry[t].relationships().get(name) for t in current_types]
            rels = [r for r in rels if r is not None and r.includable]
            if not name or not rels:
                raise _invalid_include(name, "/".join(current_types))
            node = node.setdefault(name, {})
            current_types = tuple(dict.fromkeys(t for r in rels for t in r.types if t in registry))
    return tree


def _include_limit(detail: str) -> BadRequest:
    return BadRequest(detail, title="Invalid include", code="INVALID_INCLUDE", parameter="include")


def _invalid_include(name: str, type_name: str) -> BadRequest:
    return BadRequest(
        f"{name} is not a valid relationship of {type_name}",
        title="Invalid include",
        code="INVALID_INCLUDE",
        parameter="include",
    )


def parse_fields(type_name: str, value: str, registry, parameter: str) -> set[str]:
    if type_name not in registry:
        raise BadRequest(
            f"{type_name} is not a valid resource.",
            title="Invalid resource",
            code="INVALID_RESOURCE",
            parameter=parameter,
        )
    allowed = registry[type_name].member_names()
    # `id` and `type` always stay; listing them is allowed and changes nothing, as on CL
    # (drop-in.js asks `fields[skus]=id,code`).
    names = {n for n in value.split(",")} - {"id", "type"} if value else set()
    for name in names:
        if name not in allowed:
            raise BadRequest(
                f"{name} is not a valid field for {type_name}.",
                title="Invalid field",
                code="INVALID_FIELD",
                parameter=parameter,
            )
    return names


def parse_sort(value: str, registry, resource_type: str) -> list[tuple[str, bool]]:
    sortable = registry[resource_type].sortable_fields()
    result = []
    for item in value.split(","):
        descending = item.startswith("-")
        name = item[1:] if descending else item
        if name not in sortable:
            raise BadRequest(
                f"{name} is not a valid sort criteria for {resource_type}",
                title="Invalid sort criteria",
                code="INVALID_SORT_CRITERIA",
                parameter="sort",
            )
        result.append((name, descending))
    return result
