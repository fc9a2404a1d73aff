"""The write path of a resource: the request's resource object checked member by member (every
problem one error with its pointer), its relationships resolved within the caller's reach, then
the resource's service (`create_resource`, `update_resource`, `delete_resource`: plain record
writes by default, a domain service where the resource has rules) and its triggers, all in one
transaction with the events it records. The rows a write changes are read under their locks
(locking.py).
"""

from django.db import models, transaction

from commerce import services, tags
from commerce.auth.context import TokenContext
from commerce.events import recording_events, triggers_only
from commerce.exceptions import BadRequest, ValidationError, ValidationErrors, param_not_allowed
from commerce.jsonapi.registry import registry
from commerce.jsonapi.rows import first_within_reach, lock_target, read_member, unique_row
from commerce.jsonapi.serializers import Rel
from commerce.kept import keeping_refused_writes
from commerce.services import rails_message


class Writing:
    # The resource's services: plain record writes here, a domain service where it has rules.

    def create_resource(self, values: dict, ctx: TokenContext):
        return services.create_record(self.model, values)

    def update_resource(self, instance, values: dict, ctx: TokenContext):
        return services.update_record(instance, values) if values else instance

    def delete_resource(self, instance, ctx: TokenContext):
        services.delete_record(instance)

    def create(self) -> object:
        """POST: the new record, created and triggered in one transaction."""
        data = self.resource_data(creating=True)
        with keeping_refused_writes(), transaction.atomic(), recording_events():
            values, trigger_calls = self.parse_write(data, instance=None)
            instance = self.create_resource(values, self.ctx)
            instance = self.triggers.run(instance, trigger_calls, self.ctx)
        return instance

    def update(self, pk) -> object:
        """PATCH: the record read under its lock, updated and triggered in one transaction."""
        data = self.resource_data(creating=False, pk=pk)
        with keeping_refused_writes(), transaction.atomic(), recording_events():
            instance = self.get_object(pk, for_update=True)
            values, trigger_calls = self.parse_write(data, instance=instance)
            instance = self.update_resource(instance, values, self.ctx)
            with triggers_only(not values):  # bulk.md "Events"
                instance = self.triggers.run(instance, trigger_calls, self.ctx)
        return instance

    def destroy(self, pk) -> None:
        """DELETE: the record read under its lock and deleted in one transaction."""
        with keeping_refused_writes(), transaction.atomic(), recording_events():
            instance = self.get_object(pk, for_update=True)
            self.delete_resource(instance, self.ctx)

    def resource_data(self, *, creating: bool, pk=None) -> dict:
        document = self.request.data
        if not isinstance(document, dict) or "data" not in document:
            raise BadRequest(
                "The required parameter, data, is missing.",
                title="Missing parameter",
                code="PARAM_MISSING",
                pointer="/data",
            )
        data = document["data"]
        if not isinstance(data, dict):
            raise BadRequest(
                "data must be a resource object.",
                title="Invalid resource",
                code="INVALID_RESOURCE",
                pointer="/data",
            )
        if data.get("type") != self.resource_type:
            raise BadRequest(
                f"{data.get('type')} is not a valid type for this operation.",
                title="Type mismatch",
                code="TYPE_MISMATCH",
                pointer="/data/type",
            )
        if creating and "id" in data:
            raise param_not_allowed("id", pointer="/data/id")
        if not creating:
            if "id" not in data:
                raise BadRequest(
                    "The resource object does not contain a key.",
                    title="A key is required",
                    code="KEY_ORDER_MISMATCH",
                    pointer="/data/id",
                )
            if data["id"] != pk:
                raise BadRequest(
                    f"The URL does not support the key {data['id']}",
                    title="Key is not included in URL",
                    code="KEY_NOT_INCLUDED_IN_URL",
                    pointer="/data/id",
                )
        for member in ("attributes", "relationships"):
            if not isinstance(data.get(member, {}), dict):
                raise BadRequest(
                    f"{member} must be an object.",
                    title="Invalid data format",
                    code="INVALID_DATA_FORMAT",
                    pointer=f"/data/{member}",
                )
        unknown = set(data) - {"type", "id", "attributes", "relationships", "meta", "links"}
        for name in sorted(unknown):
            raise param_not_allowed(name, pointer=f"/data/{name}")
        return data

    def parse_write(self, data: dict, *, instance):
        """Checked model values and trigger calls of a create (instance None) or update."""
        creating = instance is None
        ctx = self.ctx
        attributes = data.get("attributes") or {}
        plain = {k: v for k, v in attributes.items() if not k.startswith("_")}
        trigger_attrs = {k: v for k, v in attributes.items() if k.startswith("_")}
        for name, (trigger_name, accepted) in self.trigger_attributes.items():
            if name in plain:
                if plain.pop(name) is not accepted:
                    raise param_not_allowed(name, pointer=f"/data/attributes/{name}")
                trigger_attrs.setdefault(trigger_name, True)
        writable = self.serializer_class.writable_attribute_names(
            creating=creating, integration=ctx.is_integration
        )
        for name in plain:
            if name not in writable:
                raise param_not_allowed(name, pointer=f"/data/attributes/{name}")
        trigger_calls = self.triggers.parse(trigger_attrs, ctx, creating=creating)

        errors: list[ValidationError] = []
        relationships = dict(data.get("relationships") or {})
        if self.taggable:  # `tags` replaces the record's set, after its write (commerce/tags.py)
            trigger_calls = tags.parse_tags_relationship(
                type(self), relationships, ctx, errors, trigger_calls
            )
        code_values = self.resolve_code_references(plain, relationships, errors)
        relationship_values = self.parse_relationships(
            relationships, creating=creating, errors=errors, given=set(code_values)
        )
        serializer = self.serializer_class(
            instance,
            data=plain,
            partial=not creating,
            context={"request": self.request, "ctx": ctx, "attributes": frozenset(plain)},
        )
        values = {}
        if serializer.is_valid():
            values = dict(serializer.validated_data)
        else:
            errors = _serializer_errors(serializer.errors) + errors
        if errors:
            raise ValidationErrors(errors)
        for name in self.code_references:
            values.pop(name, None)
        values.update(relationship_values)
        values.update(code_values)
        return values, trigger_calls

    def resolve_code_references(self, plain: dict, relationships: dict, errors: list) -> dict:
        """Model values for attributes like `sku_code` that name a related record by code."""
        values = {}
        for attribute, (rel_name, field_name) in self.code_references.items():
            code = plain.get(attribute)
            if code is None or not isinstance(code, str) or rel_name in relationships:
                continue
            rel = self.relationships()[rel_name]
            target_cls = registry[rel.types[0]]
            target = self.code_reference_target(attribute, target_cls, field_name, code, plain)
            if target is None:
                errors.append(
                    ValidationError(attribute, "not found", error="not_found", value=code)
                )
            else:
                values[rel.source_for(rel_name)] = target
        return values

    def code_reference_target(
        self, attribute: str, target_cls, field_name: str, code: str, plain: dict
    ):
        """The record of `target_cls` within reach whose `field_name` is `code`, or None.
        `plain`: the request's attributes, unchecked; a resource may read more with the record
        (a storefront's new line item's SKU comes with its price)."""

        def build(reach, code):
            return target_cls.scoped_queryset(reach).filter(**{field_name: code})[:1]

        return first_within_reach(  # SQL compiled once (rows.py)
            (target_cls, "code", field_name),
            self.ctx,
            build,
            lambda: next(iter(build(self.ctx, code)), None),
            code=(models.CharField(), code),
        )

    def parse_relationships(
        self,
        relationships: dict,
        *,
        creating: bool,
        errors: list,
        given: frozenset | set = frozenset(),
    ) -> dict:
        rels = self.relationships()
        values = {}
        for name, body in relationships.items():
            rel = rels.get(name)
            settable = (
                rel is not None
                and not rel.many
                and (rel.create is not None if creating else rel.update)
            )
            if not settable:
                raise param_not_allowed(name, pointer=f"/data/relationships/{name}")
            if not isinstance(body, dict) or "data" not in body:
                raise BadRequest(
                    f"{name} must be an object with data.",
                    title="Invalid links object",
                    code="INVALID_LINKS_OBJECT",
                    pointer=f"/data/relationships/{name}",
                )
            linkage = body["data"]
            if linkage is None:
                if rel.create == "required":
                    errors.append(
                        ValidationError(name, "can't be blank", error="blank", relationship=True)
                    )
                else:
                    values[rel.source_for(name)] = None
                continue
            target = self.resolve_linkage(name, rel, linkage, errors)
            if target is not None:
                values[rel.source_for(name)] = target
        if creating:
            for name, rel in rels.items():
                source = rel.source_for(name)
                if rel.create == "required" and name not in relationships and source not in given:
                    errors.append(
                        ValidationError(name, "can't be blank", error="blank", relationship=True)
                    )
        return values

    def resolve_linkage(self, name: str, rel: Rel, linkage, errors: list):
        if (
            not isinstance(linkage, dict)
            or not isinstance(linkage.get("type"), str)
            or not isinstance(linkage.get("id"), str)
        ):
            errors.append(
                ValidationError(
                    name,
                    "must be a resource identifier with type and id",
                    error="invalid",
                    relationship=True,
                )
            )
            return None
        type_name, public_id = linkage["type"], linkage["id"]
        if type_name not in rel.types or type_name not in registry:
            errors.append(
                ValidationError(
                    name, f"{type_name} is not a valid type", error="invalid", relationship=True
                )
            )
            return None
        target_cls = registry[type_name]
        if rel.lock:
            target = lock_target(target_cls, self.ctx, public_id[:64])
        else:
            key, joined = public_id[:64], rel.read_related
            target = read_member(  # SQL compiled once (rows.py)
                target_cls,
                self.ctx,
                key,
                lambda: unique_row(_with(target_cls.scoped_queryset(self.ctx), key, joined)),
                joined,
            )
        if target is None or not self.allows_target(name, target):
            errors.append(
                ValidationError(
                    name, f"{type_name} {public_id} not found", error="not_found", relationship=True
                )
            )
            return None
        return target

    def allows_target(self, name: str, target) -> bool:
        """Extra rules on a relationship's target (e.g. same market); override per resource."""
        return True


def _serializer_errors(errors: dict) -> list[ValidationError]:
    result = []
    for field_name, messages in errors.items():
        name = "base" if field_name == "non_field_errors" else field_name
        if isinstance(messages, dict):
            messages = [m for ms in messages.values() for m in ms]
        for message in messages:
            text, error, meta = rails_message(getattr(message, "code", None), str(message))
            result.append(ValidationError(name, text, error=error, **meta))
    return result


def _with(rows, public_id: str, joined: tuple):
    rows = rows.filter(public_id=public_id)
    return rows.select_related(*joined) if joined else rows  # select_related() joins everything
