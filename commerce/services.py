"""Generic record writes for resources without domain rules of their own (catalog, settings).

Resources with rules (orders, shipments, stock) call their own services instead; these are the
plain create / update / delete every other resource shares. Each is one transaction, validates
the model (field rules, unique and check constraints) before writing, and turns what the
database still refuses into our errors, never an IntegrityError.
"""

import re
from functools import cache

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import signals
from django.db.models.deletion import Collector

from commerce.compiled import insert_rows, insertable, update_rows
from commerce.events import is_served, record_created, record_destroyed, record_updated
from commerce.exceptions import Locked, RecordNotUnique, ValidationError, ValidationErrors

# Django's error codes -> Rails' messages and error names, as Commerce Layer answers them.
_RAILS = {
    "unique": ("has already been taken", "taken"),
    "unique_together": ("has already been taken", "taken"),
    "blank": ("can't be blank", "blank"),
    "null": ("can't be blank", "blank"),
    "required": ("can't be blank", "blank"),
    "invalid_choice": ("is not included in the list", "inclusion"),
}


def _first_number(text: str) -> int | None:
    match = re.search(r"-?\d+", text)
    return int(match.group()) if match else None


def rails_message(code: str | None, message: str) -> tuple[str, str, dict]:
    """(message, error name, meta) in Rails' words for a Django/DRF error code."""
    if code in _RAILS:
        text, error = _RAILS[code]
        return text, error, {}
    if code == "max_length":
        count = _first_number(message)
        return f"is too long (maximum is {count} characters)", "too_long", {"count": count}
    if code == "min_length":
        count = _first_number(message)
        return f"is too short (minimum is {count} characters)", "too_short", {"count": count}
    if code == "max_value":
        count = _first_number(message)
        return (f"must be less than or equal to {count}", "less_than_or_equal_to", {"count": count})
    if code == "min_value":
        count = _first_number(message)
        return (
            f"must be greater than or equal to {count}",
            "greater_than_or_equal_to",
            {"count": count},
        )
    return message.rstrip("."), code or "invalid", {}


def _field_error(model, field_name: str, code: str | None, message: str) -> ValidationError:
    text, error, meta = rails_message(code, message)
    if field_name == NON_FIELD_ERRORS:
        # A unique constraint over relationships names them; point at the record as a whole.
        return ValidationError("base", text, error=error, **meta)
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        field = None
    is_relation = isinstance(field, models.ForeignKey)
    return ValidationError(field_name, text, error=error, relationship=is_relation, **meta)


def to_validation_errors(model, exc: DjangoValidationError) -> ValidationErrors:
    errors = []
    for field_name, items in (
        exc.error_dict.items()
        if hasattr(exc, "error_dict")
        else [(NON_FIELD_ERRORS, exc.error_list)]
    ):
        for item in items:
            message = item.message % item.params if item.params else item.message
            errors.append(_field_error(model, field_name, item.code, str(message)))
    return ValidationErrors(errors)


def save_record(instance: models.Model, *, validate=None) -> models.Model:
    """Validate and save one model instance (inside the caller's transaction): `clean_record`,
    then `write_record`."""
    clean_record(instance, validate=validate)
    return write_record(instance)


def clean_record(instance: models.Model, *, validate=None) -> None:
    """Run the model's validation, raising our 422 errors.

    `validate` (services on hot paths) names the fields the client gave: only their rules,
    unique checks and constraints are checked, and a relationship to a row the service already
    read is not looked up again. What the service computed itself is guarded by the database's
    own constraints. Each skipped check is a query (three for a check constraint). The public
    id is never checked: we generate it, and the unique index refuses a collision (409)."""
    exclude = {"public_id"}
    if validate is not None:
        validate = set(validate)
        exclude.update(
            field.name
            for field in instance._meta.concrete_fields
            if field.name not in validate or _already_read(instance, field)
        )
    checks_constraints = any(
        fields is None or not (fields & exclude) for fields in _constraint_fields(type(instance))
    )
    try:
        instance.full_clean(exclude=exclude, validate_constraints=checks_constraints)
    except DjangoValidationError as exc:
        raise to_validation_errors(type(instance), exc) from None


@cache
def _constraint_fields(model) -> tuple[frozenset[str] | None, ...]:
    """The fields each of `model`'s constraints reads (None: not plain to tell, always
    checked). Django skips a constraint that reads a field `full_clean` excludes, a check
    constraint only after building the query of its check (~0.1 ms each); `clean_record` skips
    them all without that when each reads one."""
    found = []
    for _, constraints in model().get_constraints():
        for constraint in constraints:
            if isinstance(constraint, models.CheckConstraint):
                found.append(frozenset(constraint.condition.referenced_base_fields) or None)
            elif isinstance(constraint, models.UniqueConstraint) and not constraint.expressions:
                found.append(frozenset(constraint.fields))
            else:
                found.append(None)
    return tuple(found)


def write_record(instance: models.Model) -> models.Model:
    """Save a record already validated; what the database still refuses (a concurrent writer
    took the same unique value first) is a 409, not an IntegrityError. For a model with a plain
    `save()` and no save signals, a new row is written by an INSERT and a stored one by an
    UPDATE of the columns it changed since it was read (every column when that is not known),
    each built once per model (compiled.insert_rows / update_rows), what `save()` writes
    without compiling it each time; `save()` itself otherwise, or when the UPDATE finds no row."""
    try:
        with transaction.atomic(savepoint=False):
            if _plain_insert(instance):
                insert_rows([instance])
            elif not (_plain_update(instance) and update_rows([instance])):
                adding = instance._state.adding or instance.pk is None
                instance.save()
                # update_rows / insert_rows record their events; save() does not.
                (record_created([instance]) if adding else record_updated([instance]))
    except IntegrityError as exc:
        raise RecordNotUnique(f"The record could not be saved: {exc.__class__.__name__}.") from None
    return instance


def write_fields(instance: models.Model, fields: list[str]) -> models.Model:
    """`instance.save(update_fields=fields)` (auto_now stamps among them included) for a stored
    row under the caller's lock, by compiled.update_rows when the model's save() is plain."""
    if _plain_update(instance):
        meta = instance._meta
        for name in fields:
            field = meta.get_field(name)
            if getattr(field, "auto_now", False):
                field.pre_save(instance, False)  # as save() stamps it
        if update_rows([instance], fields):
            return instance
    instance.save(update_fields=fields)
    record_updated([instance], fields)
    return instance


# Relations of a written record its answer shows as the service left them prefetched.
ANSWERED_AS_READ = "_answered_as_read"


def answer_as_read(instance: models.Model, relation: str) -> None:
    """The write's answer shows `instance`'s prefetched rows of `relation` as they are instead
    of reading them again (commerce.jsonapi.reading.written_document): the service read them
    after its last write to them, and nothing after it writes them."""
    instance.__dict__.setdefault(ANSWERED_AS_READ, set()).add(relation)


def create_rows(instances: list[models.Model]) -> list[models.Model]:
    """`bulk_create(instances)` by compiled.insert_rows when the model allows it."""
    if not instances:
        return instances
    model = type(instances[0])
    if _plain_model(model) and insertable(model, connections[router.db_for_write(model)]):
        return insert_rows(instances)
    created = model._default_manager.bulk_create(instances)
    record_created(created)
    return created


def _plain_model(model: type[models.Model]) -> bool:
    return (
        model.save is models.Model.save
        and not signals.pre_save.has_listeners(model)
        and not signals.post_save.has_listeners(model)
    )


def _plain_insert(instance: models.Model) -> bool:
    model = type(instance)
    return (
        instance._state.adding
        and instance.pk is None
        and _plain_model(model)
        and insertable(model, connections[router.db_for_write(model)])
    )


def _plain_update(instance: models.Model) -> bool:
    return not instance._state.adding and instance.pk is not None and _plain_model(type(instance))


def _already_read(instance: models.Model, field) -> bool:
    if not field.is_relation or not field.is_cached(instance):
        return False
    related = field.get_cached_value(instance)
    return related is not None and related.pk is not None and not related._state.adding


@transaction.atomic(savepoint=False)
def create_record(model: type[models.Model], values: dict) -> models.Model:
    return save_record(model(**values))


@transaction.atomic(savepoint=False)
def update_record(instance: models.Model, values: dict) -> models.Model:
    for name, value in values.items():
        setattr(instance, name, value)
    return save_record(instance)


def delete_rows(instances: list[models.Model], *, cascaded=()) -> None:
    """Delete `instances` (one model) by primary key with one QuerySet delete, recording each
    one's `<type>.destroy` and those of `cascaded`, the served rows the database deletes with
    them (bulk.md "Events": derived writes record their own events)."""
    if instances:
        type(instances[0])._default_manager.filter(pk__in=[i.pk for i in instances]).delete()
    record_destroyed([*instances, *cascaded])


@transaction.atomic(savepoint=False)
def delete_record(instance: models.Model) -> None:
    """Delete `instance` and what the deletion cascades to, recording `<type>.destroy` for
    each served record among them (bulk.md "Events": derived writes record their own). The
    cascade is the one `instance.delete()` runs (Django's Collector); the rows it would delete
    by a bare DELETE (`fast_deletes`) are read first only when they are served records."""
    collector = Collector(using=router.db_for_write(type(instance)), origin=instance)
    try:
        with transaction.atomic(savepoint=False):
            collector.collect([instance])
            gone = []
            for model, rows in collector.data.items():
                rows = [row for row in rows if row is not instance]
                if rows and is_served(model):
                    # The Collector reads cascaded rows with their keys alone.
                    gone.extend(model._base_manager.filter(pk__in=[row.pk for row in rows]).only(
                        *_named_by(model)))  # fmt: skip
            for rows in collector.fast_deletes:
                if is_served(rows.model):
                    gone.extend(rows.only(*_named_by(rows.model)))
            collector.delete()
    except (models.ProtectedError, models.RestrictedError):
        raise Locked() from None
    record_destroyed([instance, *gone])


def _named_by(model) -> list[str]:
    """What names a record in its `.destroy` event: its public id, and its kind when the model
    is served under several types (commerce.events.served_type)."""
    names = ["pk", "public_id"]
    if any(field.name == "kind" for field in model._meta.concrete_fields):
        names.append("kind")
    return names
