"""The OpenAPI 3 document of the API, generated from the resource registry.

drf-spectacular documents DRF views from their serializers, but our resources are declared
once in the registry (attributes from each serializer, relationships, filters, sorts, triggers,
token kinds) and the wire format is Commerce Layer's, not DJA's defaults. So the document is
built from those declarations directly: every path, attribute, relationship, include, trigger
and filter that the code serves, and nothing it doesn't. drf-spectacular still serves the
interactive docs (Swagger UI from the drf-spectacular-sidecar package: no CDN).
"""

from functools import cache

from django.conf import settings
from rest_framework import serializers

from commerce.jsonapi import fields as f
from commerce.jsonapi.filters import PREDICATES
from commerce.jsonapi.query import PAGE_NUMBER_MAX
from commerce.jsonapi.registry import registry

MEDIA_TYPE = "application/vnd.api+json"
# Each filterable attribute is listed with its most used predicates; the operation's
# description names every predicate the server takes.
STRING_PREDICATES = ("eq", "in", "cont")
NUMBER_PREDICATES = ("eq", "gt", "lt")
OTHER_PREDICATES = ("eq", "null")


def _field_schema(field) -> dict:
    if isinstance(field, serializers.SerializerMethodField | serializers.ReadOnlyField):
        schema: dict = {}
    elif isinstance(field, serializers.ChoiceField):
        schema = {"type": "string", "enum": [str(c) for c in field.choices]}
    elif isinstance(field, serializers.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, serializers.IntegerField):
        schema = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
    elif isinstance(field, serializers.FloatField | serializers.DecimalField):
        schema = {"type": "number"}
    elif isinstance(field, f.TimestampField | serializers.DateTimeField):
        schema = {"type": "string", "format": "date-time"}
    elif isinstance(field, serializers.JSONField):
        schema = {"type": "object"} if isinstance(field, f.MetadataField) else {}
    elif isinstance(field, serializers.CharField):
        schema = {"type": "string"}
        if field.max_length is not None:
            schema["maxLength"] = field.max_length
        if getattr(field, "min_length", None):
            schema["minLength"] = field.min_length
    else:
        schema = {}
    if schema and getattr(field, "allow_null", False):
        schema["nullable"] = True
    return schema


def _attributes(resource_cls) -> tuple[dict, dict, list, dict]:
    """(read properties, create properties, create required, update properties)."""
    serializer_cls = resource_cls.serializer_class
    fields = serializer_cls().fields
    read, create, update, required = {}, {}, {}, []
    create_names = serializer_cls.writable_attribute_names(creating=True, integration=True)
    update_names = serializer_cls.writable_attribute_names(creating=False, integration=True)
    for name, field in fields.items():
        schema = _field_schema(field)
        if not field.write_only:
            # Responses: anything not computed from stored truth may be null.
            read[name] = {**schema, "nullable": True} if schema else {}
        if name in create_names:
            create[name] = schema
            if field.required:
                required.append(name)
        if name in update_names:
            update[name] = schema
    for money in serializer_cls.money:
        read[f"{money}_float"] = {"type": "number", "nullable": True}
        read[f"formatted_{money}"] = {"type": "string", "nullable": True}
    for name, trigger in resource_cls.triggers.triggers.items():
        kind = {"bool": "boolean", "int": "integer", "str": "string"}[trigger.value.__name__]
        schema = {"type": kind, "description": f"trigger ({', '.join(sorted(trigger.kinds))})"}
        if trigger.on_create:
            create[name] = schema
        if trigger.on_update:
            update[name] = schema
    return read, create, required, update


def _identifier(types) -> dict:
    return {
        "type": "object",
        "required": ["type", "id"],
        "properties": {"type": {"type": "string", "enum": list(types)}, "id": {"type": "string"}},
    }


def _relationships(resource_cls, mode: str) -> tuple[dict, list]:
    props, required = {}, []
    for name, rel in resource_cls.relationships().items():
        if mode == "read":
            linkage = _identifier(rel.types)
            data = (
                {"type": "array", "items": linkage} if rel.many else {**linkage, "nullable": True}
            )
            props[name] = {
                "type": "object",
                "properties": {
                    "links": {"$ref": "#/components/schemas/relationship_links"},
                    "data": data,
                },
            }
            continue
        settable = rel.create is not None if mode == "create" else rel.update
        if not settable:
            continue
        # A writable to-many (`tags`, commerce/tags.py) takes its whole new set.
        identifier = _identifier(rel.types)
        data = (
            {"type": "array", "items": identifier} if rel.many else {**identifier, "nullable": True}
        )
        props[name] = {"type": "object", "required": ["data"], "properties": {"data": data}}
        if mode == "create" and rel.create == "required":
            required.append(name)
    return props, required


def _resource_schemas(type_name: str, resource_cls) -> dict:
    read, create, create_required, update = _attributes(resource_cls)
    read_rels, _ = _relationships(resource_cls, "read")
    create_rels, create_rels_required = _relationships(resource_cls, "create")
    update_rels, _ = _relationships(resource_cls, "update")
    schemas = {
        f"{type_name}_resource": {
            "type": "object",
            "required": ["id", "type", "links", "meta"],
            "properties": {
                "id": {"type": "string"},
                "type": {
                    "type": "string",
                    "enum": list(resource_cls.document_types or [type_name]),
                },
                "links": {"$ref": "#/components/schemas/resource_links"},
                "attributes": {"type": "object", "properties": read},
                "relationships": {"type": "object", "properties": read_rels},
                "meta": {"$ref": "#/components/schemas/resource_meta"},
            },
        },
    }
    if "create" in resource_cls.ops:
        body = {
            "type": "object",
            "required": ["type"],
            "properties": {
                "type": {"type": "string", "enum": [type_name]},
                "attributes": {
                    "type": "object",
                    "properties": create,
                    **({"required": create_required} if create_required else {}),
                },
                "relationships": {
                    "type": "object",
                    "properties": create_rels,
                    **({"required": create_rels_required} if create_rels_required else {}),
                },
            },
        }
        schemas[f"{type_name}_create"] = {
            "type": "object",
            "required": ["data"],
            "properties": {"data": body},
        }
    if "update" in resource_cls.ops:
        body = {
            "type": "object",
            "required": ["type", "id"],
            "properties": {
                "type": {"type": "string", "enum": [type_name]},
                "id": {"type": "string"},
                "attributes": {"type": "object", "properties": update},
                "relationships": {"type": "object", "properties": update_rels},
            },
        }
        schemas[f"{type_name}_update"] = {
            "type": "object",
            "required": ["data"],
            "properties": {"data": body},
        }
    return schemas


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _content(schema):
    return {MEDIA_TYPE: {"schema": schema}}


def _errors(*statuses) -> dict:
    return {str(s): {"description": "error", "content": _content(_ref("errors"))} for s in statuses}


def _document(type_name: str, *, many: bool) -> dict:
    data = (
        {"type": "array", "items": _ref(f"{type_name}_resource")}
        if many
        else {**_ref(f"{type_name}_resource")}
    )
    props = {"data": data, "included": {"type": "array", "items": {"type": "object"}}}
    if many:
        props["meta"] = _ref("collection_meta")
        props["links"] = _ref("pagination_links")
    return {"type": "object", "required": ["data"], "properties": props}


def _query_params(type_name: str, resource_cls, *, collection: bool, filters: bool = True) -> list:
    includes = ", ".join(
        sorted(name for name, rel in resource_cls.relationships().items() if rel.includable)
    )
    params = [
        {
            "name": "include",
            "in": "query",
            "schema": {"type": "string"},
            "description": f"comma-separated relationship paths (dotted): {includes}",
        },
        {
            "name": f"fields[{type_name}]",
            "in": "query",
            "schema": {"type": "string"},
            "description": "sparse fieldset: comma-separated attribute/relationship names",
        },
    ]
    if not collection:
        return params
    sortable = ", ".join(sorted(resource_cls.sortable_fields()))
    params += [
        {
            "name": "sort",
            "in": "query",
            "schema": {"type": "string"},
            "description": f"comma-separated, `-` for descending: {sortable}",
        },
        {
            "name": "page[number]",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": PAGE_NUMBER_MAX},
        },
        {
            "name": "page[size]",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_PAGE_SIZE_MAX},
        },
    ]
    if not filters:
        return params
    fields = resource_cls.serializer_class().fields
    for name in sorted(resource_cls.filterable_fields()):
        field = fields.get(name)
        if isinstance(field, serializers.CharField | serializers.ChoiceField) or name == "id":
            predicates, value = STRING_PREDICATES, {"type": "string"}
        elif isinstance(field, serializers.IntegerField | serializers.FloatField):
            predicates, value = NUMBER_PREDICATES, {"type": "string"}
        else:
            predicates, value = OTHER_PREDICATES, {"type": "string"}
        for predicate in predicates:
            params.append(
                {"name": f"filter[q][{name}_{predicate}]", "in": "query", "schema": value}
            )
    return params


def _linkage_document(rel) -> dict:
    linkage = _identifier(rel.types)
    data = {"type": "array", "items": linkage} if rel.many else {**linkage, "nullable": True}
    return {
        "type": "object",
        "required": ["data", "links"],
        "properties": {"data": data, "links": _ref("relationship_links")},
    }


def _related_operation(type_name, name, rel, id_param, auth_errors) -> dict | None:
    """GET /api/{type}/{id}/{name}: a page of the targets, or the one target (or null).

    A polymorphic to-many lists through its `collection` type; a polymorphic to-one answers
    with whichever of its types the record has.
    """
    if rel.many:
        target = rel.collection if len(rel.types) != 1 else rel.types[0]
        if target not in registry:
            return None
        parameters = _query_params(target, registry[target], collection=True, filters=False)
        body = _document(target, many=True)
    else:
        targets = [t for t in rel.types if t in registry]
        if not targets:
            return None
        refs = [_ref(f"{t}_resource") for t in targets]
        data = {**refs[0]} if len(refs) == 1 else {"oneOf": refs}
        body = {"type": "object", "properties": {"data": {**data, "nullable": True}}}
        parameters = [
            p
            for t in targets
            for p in _query_params(t, registry[t], collection=False)
            if p["name"] != "include" or t == targets[0]
        ]
    return {
        "tags": [type_name],
        "operationId": f"{type_name}_{name}",
        "parameters": [id_param, *parameters],
        "responses": {
            "200": {"description": f"related {name}", "content": _content(body)},
            **_errors(*auth_errors, 404),
        },
    }


def _paths_for(type_name: str, resource_cls) -> dict:
    paths = {}
    collection, member = {}, {}
    tag = [type_name]
    # What any request may get: bad input, token, Accept, rate limit, and 503 when the database
    # statement timeout ends a query (limits.md section 1).
    auth_errors = (400, 401, 406, 429, 503)
    if "list" in resource_cls.ops:
        collection["get"] = {
            "tags": tag,
            "operationId": f"list_{type_name}",
            "parameters": _query_params(type_name, resource_cls, collection=True),
            "description": (
                "Ransack predicates on any filterable attribute or relationship "
                "path: " + ", ".join(sorted(PREDICATES)) + "; `_or_` combines "
                "attributes."
            ),
            "responses": {
                "200": {
                    "description": "a page",
                    "content": _content(_document(type_name, many=True)),
                },
                **_errors(*auth_errors),
            },
        }
    if "create" in resource_cls.ops:
        collection["post"] = {
            "tags": tag,
            "operationId": f"create_{type_name}",
            "parameters": _query_params(type_name, resource_cls, collection=False),
            "requestBody": {"required": True, "content": _content(_ref(f"{type_name}_create"))},
            "responses": {
                "201": {
                    "description": "created",
                    "content": _content(_document(type_name, many=False)),
                },
                **_errors(*auth_errors, 404, 409, 413, 415, 422),
            },
        }
    id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    if "retrieve" in resource_cls.ops:
        member["get"] = {
            "tags": tag,
            "operationId": f"retrieve_{type_name}",
            "parameters": [id_param, *_query_params(type_name, resource_cls, collection=False)],
            "responses": {
                "200": {
                    "description": "the resource",
                    "content": _content(_document(type_name, many=False)),
                },
                **_errors(*auth_errors, 404),
            },
        }
    if "update" in resource_cls.ops:
        member["patch"] = {
            "tags": tag,
            "operationId": f"update_{type_name}",
            "parameters": [id_param, *_query_params(type_name, resource_cls, collection=False)],
            "requestBody": {"required": True, "content": _content(_ref(f"{type_name}_update"))},
            "responses": {
                "200": {
                    "description": "updated",
                    "content": _content(_document(type_name, many=False)),
                },
                **_errors(*auth_errors, 404, 409, 413, 415, 422),
            },
        }
    if "delete" in resource_cls.ops:
        member["delete"] = {
            "tags": tag,
            "operationId": f"delete_{type_name}",
            "parameters": [id_param],
            "responses": {
                "204": {"description": "deleted"},
                **_errors(*auth_errors, 404, *resource_cls.delete_refusals),
            },
        }
    if collection:
        paths[f"/api/{type_name}"] = collection
    if member:
        paths[f"/api/{type_name}/{{id}}"] = member
    for name, rel in resource_cls.relationships().items():
        paths[f"/api/{type_name}/{{id}}/relationships/{name}"] = {
            "get": {
                "tags": tag,
                "operationId": f"{type_name}_{name}_linkage",
                "parameters": [id_param],
                "responses": {
                    "200": {
                        "description": f"linkage of {name}",
                        "content": _content(_linkage_document(rel)),
                    },
                    **_errors(*auth_errors, 404),
                },
            }
        }
        related = _related_operation(type_name, name, rel, id_param, auth_errors)
        if related is not None:
            paths[f"/api/{type_name}/{{id}}/{name}"] = {"get": related}
    return paths


COMMON_SCHEMAS = {
    "resource_links": {
        "type": "object",
        "required": ["self"],
        "properties": {"self": {"type": "string"}},
    },
    "relationship_links": {
        "type": "object",
        "properties": {"self": {"type": "string"}, "related": {"type": "string"}},
    },
    "resource_meta": {
        "type": "object",
        "properties": {
            "mode": {"type": "string", "enum": ["test", "live"]},
            "organization_id": {"type": "string"},
        },
    },
    "collection_meta": {
        "type": "object",
        "required": ["record_count", "page_count"],
        "properties": {
            "record_count": {"type": "integer", "minimum": 0},
            "page_count": {"type": "integer", "minimum": 0},
        },
    },
    "pagination_links": {
        "type": "object",
        "required": ["first", "last"],
        "properties": {n: {"type": "string"} for n in ("first", "prev", "next", "last")},
    },
    "errors": {
        "type": "object",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "required": ["title", "detail", "code", "status"],
                    "properties": {
                        "title": {"type": "string"},
                        "detail": {"type": "string"},
                        "code": {"type": "string"},
                        "status": {"type": "string"},
                        "source": {
                            "type": "object",
                            "properties": {
                                "pointer": {"type": "string"},
                                "parameter": {"type": "string"},
                            },
                        },
                        "meta": {"type": "object"},
                    },
                },
            }
        },
    },
}


@cache
def build_schema() -> dict:
    schemas = dict(COMMON_SCHEMAS)
    paths = {}
    for type_name, resource_cls in sorted(registry.items()):
        schemas.update(_resource_schemas(type_name, resource_cls))
        paths.update(_paths_for(type_name, resource_cls))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": settings.SPECTACULAR_SETTINGS["TITLE"],
            "version": settings.SPECTACULAR_SETTINGS["VERSION"],
            # Markdown (Swagger UI renders descriptions as such, raw HTML allowed and then
            # sanitized): angle brackets outside a code span would be taken for tags and lost.
            "description": "JSON:API in Commerce Layer's dialect: "
            "`application/vnd.api+json`, include/fields/sort/page, "
            "`filter[q][<attribute>_<predicate>]`, trigger attributes "
            "(`_place`, ...) in PATCH bodies.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
