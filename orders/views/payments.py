"""Payment sources (wire transfers) and transactions: authorizations, captures, voids, refunds."""

from django.db.models import Prefetch

from commerce.jsonapi.registry import register
from commerce.jsonapi.serializers import Rel
from commerce.jsonapi.views import INTEGRATION_ONLY, ResourceView
from commerce.triggers import Trigger, TriggerSet
from orders import serializers as s
from orders.models import (
    PaymentSource,
    Transaction,
)
from orders.selectors import with_balances
from orders.services import carts, stripe_payments, transactions
from orders.views.reach import NO_LIST, reachable_orders


@register
class WireTransferResource(ResourceView):
    resource_type = "wire_transfers"
    model = PaymentSource
    serializer_class = s.WireTransferSerializer
    access = NO_LIST
    answers_from_write = True
    relationships_map = {"order": Rel("orders", create="required", lock=True)}

    @classmethod
    def base_queryset(cls):
        return PaymentSource.objects.filter(kind="wire_transfers")

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")

    def create_resource(self, values, ctx):
        return carts.create_payment_source(ctx=ctx, values=values, kind="wire_transfers")


@register
class StripePaymentResource(ResourceView):
    """payments.md "Stripe": a payment source whose PaymentIntent the storefront confirms."""

    resource_type = "stripe_payments"
    model = PaymentSource
    serializer_class = s.StripePaymentSerializer
    access = NO_LIST
    answers_from_write = True
    locked_through = "order"
    select_related = ("payment_gateway", "order")
    triggers = TriggerSet(
        Trigger("_update", stripe_payments.update_stripe_payment, on_create=False),
        Trigger("_refresh", stripe_payments.refresh_stripe_payment, on_create=False),
    )
    relationships_map = {
        "order": Rel("orders", create="required", lock=True),
        "payment_gateway": Rel("payment_gateways"),
    }

    @classmethod
    def base_queryset(cls):
        return PaymentSource.objects.filter(kind="stripe_payments")

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")

    def create_resource(self, values, ctx):
        return stripe_payments.create_stripe_payment(ctx=ctx, values=values)


@register
class ExternalPaymentResource(ResourceView):
    """payments.md "External gateways": a payment source whose token the merchant's gateway
    charges at `_place`."""

    resource_type = "external_payments"
    model = PaymentSource
    serializer_class = s.ExternalPaymentSerializer
    access = NO_LIST
    answers_from_write = True
    locked_through = "order"
    select_related = ("payment_gateway",)
    relationships_map = {
        "order": Rel("orders", create="required", lock=True),
        "payment_gateway": Rel("payment_gateways"),
        "wallet": Rel("customer_payment_sources"),
    }

    @classmethod
    def base_queryset(cls):
        return PaymentSource.objects.filter(kind="external_payments")

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")

    def create_resource(self, values, ctx):
        return carts.create_payment_source(ctx=ctx, values=values, kind="external_payments")


def _transaction_queryset(kind=None):
    """Transactions with their balances (orders.selectors)."""
    qs = Transaction.objects.all() if kind is None else Transaction.objects.filter(kind=kind)
    return with_balances(qs)


# The transactions of a transaction's order, with their amounts, read in one query per page.
_ORDER_TRANSACTIONS = Prefetch("order__transactions", queryset=_transaction_queryset())


def _referring(kind: str, reference: str):
    """The order's transactions of `kind` that refer to this one (its captures, voids...)."""
    return lambda t: [
        x for x in t.order.transactions.all() if x.kind == kind and getattr(x, reference) == t.pk
    ]


# A failed transaction made succeeded by an operator (payments.md "Reconciling"); a PATCH of
# `succeeded: true` is the same (orders.md), any other value of it a 400.
FORWARD = Trigger(
    "_forward", transactions.forward_transaction, kinds=INTEGRATION_ONLY, on_create=False
)


class TransactionResourceBase(ResourceView):
    serializer_class = s.TransactionSerializer
    access = {**NO_LIST, "create": INTEGRATION_ONLY, "update": INTEGRATION_ONLY}
    ops = frozenset({"list", "retrieve", "update"})
    locked_through = "order"
    kind: str | None = None
    triggers = TriggerSet(FORWARD)
    trigger_attributes = {"succeeded": ("_forward", True)}
    relationships_map = {
        "order": Rel("orders"),
        "payment_source": Rel(
            ("wire_transfers", "stripe_payments", "external_payments"),
            type_of=lambda source: source.kind,
        ),
    }

    @classmethod
    def base_queryset(cls):
        return _transaction_queryset(cls.kind)

    @classmethod
    def scope(cls, qs, ctx):
        return reachable_orders(qs, ctx, "order")


@register
class TransactionResource(TransactionResourceBase):
    resource_type = "transactions"
    model = Transaction
    ops = frozenset({"list", "retrieve"})
    triggers = TriggerSet()  # read only: each kind's own type takes its triggers
    document_types = ("authorizations", "captures", "voids", "refunds")


@register
class AuthorizationResource(TransactionResourceBase):
    resource_type = "authorizations"
    model = Transaction
    kind = "authorizations"
    serializer_class = s.AuthorizationSerializer
    triggers = TriggerSet(
        FORWARD,
        Trigger(
            "_capture_amount_cents",
            lambda t, v, *, ctx: t,
            value=int,
            kinds=INTEGRATION_ONLY,
            on_create=False,
        ),
        Trigger(
            "_capture",
            transactions.capture_authorization,
            kinds=INTEGRATION_ONLY,
            on_create=False,
            with_params=True,
        ),
        Trigger("_void", transactions.void_authorization, kinds=INTEGRATION_ONLY, on_create=False),
    )
    relationships_map = {
        **TransactionResourceBase.relationships_map,
        "captures": Rel(
            "captures",
            many=True,
            getter=_referring("captures", "reference_authorization_id"),
            prefetch=(_ORDER_TRANSACTIONS,),
        ),
        "voids": Rel(
            "voids",
            many=True,
            getter=_referring("voids", "reference_authorization_id"),
            prefetch=(_ORDER_TRANSACTIONS,),
        ),
    }


@register
class CaptureResource(TransactionResourceBase):
    resource_type = "captures"
    model = Transaction
    kind = "captures"
    serializer_class = s.CaptureSerializer
    triggers = TriggerSet(
        FORWARD,
        Trigger(
            "_refund_amount_cents",
            lambda t, v, *, ctx: t,
            value=int,
            kinds=INTEGRATION_ONLY,
            on_create=False,
        ),
        Trigger(
            "_refund",
            transactions.refund_capture,
            kinds=INTEGRATION_ONLY,
            on_create=False,
            with_params=True,
        ),
    )
    relationships_map = {
        **TransactionResourceBase.relationships_map,
        "reference_authorization": Rel("authorizations"),
        "refunds": Rel(
            "refunds",
            many=True,
            getter=_referring("refunds", "reference_capture_id"),
            prefetch=(_ORDER_TRANSACTIONS,),
        ),
        # The returns app's resource, by type: the first return naming this capture.
        "return": Rel(
            "returns",
            getter=lambda t: next(iter(t.referring_returns.all()), None),
            prefetch=("referring_returns",),
            through_parent=True,
        ),
    }


@register
class VoidResource(TransactionResourceBase):
    resource_type = "voids"
    model = Transaction
    kind = "voids"
    relationships_map = {
        **TransactionResourceBase.relationships_map,
        "reference_authorization": Rel("authorizations"),
    }


@register
class RefundResource(TransactionResourceBase):
    resource_type = "refunds"
    model = Transaction
    kind = "refunds"
    relationships_map = {
        **TransactionResourceBase.relationships_map,
        "reference_capture": Rel("captures"),
        # The return this refund paid back (the returns app's resource, by type).
        "return": Rel("returns", source="refunded_return", through_parent=True),
    }
