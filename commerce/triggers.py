"""Trigger attributes (`_place`, `_cancel`, `_disable` ...): parsed once, run in a fixed order.

A resource declares a TriggerSet: each Trigger names its attribute, the service function that
carries it out, the value it takes, and the token kinds that may send it. The view parses a
request's `_xxx` attributes with it (unknown or forbidden: 400 PARAM_NOT_ALLOWED; a bad value:
422) and, inside the request's transaction, calls the handlers in the declared order after the
ordinary attributes were applied. A handler raises a CommerceError (e.g. InvalidTransition) to
refuse; the transaction then rolls back whole.
"""

from collections.abc import Callable
from dataclasses import dataclass

from commerce.auth.context import CUSTOMER, INTEGRATION, SALES_CHANNEL, TokenContext
from commerce.exceptions import ValidationError, param_not_allowed

ALL_KINDS = frozenset({INTEGRATION, SALES_CHANNEL, CUSTOMER})
INTEGRATION_ONLY = frozenset({INTEGRATION})


@dataclass(frozen=True)
class Trigger:
    """`handler(instance, value, ctx=TokenContext)`; `value` is bool, int or str."""

    name: str
    handler: Callable
    value: type = bool
    kinds: frozenset = ALL_KINDS
    on_create: bool = True
    on_update: bool = True
    # Handlers that read the request's other trigger values (e.g. `_capture` reads
    # `_capture_amount_cents`) get them as `params={name: value}`.
    with_params: bool = False
    # An int trigger that takes either sign (a gift card's `_balance_change_cents`).
    signed: bool = False


class TriggerSet:
    def __init__(self, *triggers: Trigger):
        self.triggers = {t.name: t for t in triggers}

    def __bool__(self):
        return bool(self.triggers)

    def names(self) -> set[str]:
        return set(self.triggers)

    def parse(self, attributes: dict, ctx: TokenContext, *, creating: bool):
        """The triggers of one request, in execution order, with their checked values."""
        requested = []
        for name, value in attributes.items():
            trigger = self.triggers.get(name)
            allowed_op = trigger and (trigger.on_create if creating else trigger.on_update)
            if not allowed_op or ctx.kind not in trigger.kinds:
                raise param_not_allowed(name, pointer=f"/data/attributes/{name}")
            requested.append((trigger, _check_value(trigger, value)))
        order = list(self.triggers)
        requested.sort(key=lambda item: order.index(item[0].name))
        # `"_cancel": false` asks for nothing: the trigger is skipped.
        return [(t, v) for t, v in requested if v is not False]

    @staticmethod
    def run(instance, parsed, ctx: TokenContext):
        """Run the triggers in order; returns the record as the last of them left it (a handler
        that returns the record read again under its lock, as a shipment's moves do, hands
        that copy on to the next trigger and to the write's answer)."""
        params = {trigger.name: value for trigger, value in parsed}
        for trigger, value in parsed:
            if trigger.with_params:
                result = trigger.handler(instance, value, ctx=ctx, params=params)
            else:
                result = trigger.handler(instance, value, ctx=ctx)
            if type(result) is type(instance) and result.pk == instance.pk:
                instance = result
        return instance


def _check_value(trigger: Trigger, value):
    name = trigger.name
    if trigger.value is bool:
        if not isinstance(value, bool):
            raise ValidationError(name, "must be true or false", error="invalid", value=value)
        return value
    if trigger.value is int:
        lowest = -(10**13) if trigger.signed else 0
        if isinstance(value, bool) or not isinstance(value, int) or not lowest <= value <= 10**13:
            what = "an integer of at most 13 digits" if trigger.signed else "a non-negative integer"
            raise ValidationError(name, f"must be {what}", error="invalid", value=value)
        return value
    if not isinstance(value, str) or not value or len(value) > 255:
        raise ValidationError(name, "must be a non-empty string", error="invalid", value=value)
    return value
