"""The bench's baseline, served only with settings.BENCH on (`make bench`), never in production.

- plain_orders (`/bench/plain-orders`): the baseline the JSON:API list with includes is compared
  against. It serves the same 25 orders with their line items and the same attribute values as
  `GET /api/orders?include=line_items` (our attribute serializers, money triplets included,
  nested as plain DRF would), rendered by DRF's JSONRenderer without any JSON:API structure: the
  ratio then measures the JSON:API document itself, not its payload. `?minimal=1` keeps the
  former baseline (9 order and 7 line item fields), reported beside it.
"""

from django.db.models import Prefetch
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.models import LineItem, Order
from orders.serializers import LineItemSerializer, OrderSerializer


class PlainLineItemSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    sku_code = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_amount_cents = serializers.IntegerField()
    total_amount_cents = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class PlainOrderSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    number = serializers.CharField()
    status = serializers.CharField()
    payment_status = serializers.CharField()
    fulfillment_status = serializers.CharField()
    currency_code = serializers.CharField()
    customer_email = serializers.CharField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    line_items = PlainLineItemSerializer(many=True)


class SameDataLineItemSerializer(LineItemSerializer):
    id = serializers.CharField(source="public_id")

    class Meta(LineItemSerializer.Meta):
        fields = ["id", *LineItemSerializer.Meta.fields]


class SameDataOrderSerializer(OrderSerializer):
    id = serializers.CharField(source="public_id")
    line_items = SameDataLineItemSerializer(many=True)

    class Meta(OrderSerializer.Meta):
        fields = ["id", *OrderSerializer.Meta.fields, "line_items"]


class PlainJSON(BaseContentNegotiation):
    """Plain JSON whatever the client accepts (the load generator asks for JSON:API)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PlainOrders(APIView):
    authentication_classes = []
    permission_classes = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = PlainJSON

    def get(self, request):
        # The page of GET /api/orders?include=line_items&page[size]=25: same rows, same order.
        lines = Prefetch("line_items", queryset=LineItem.objects.order_by("created_at", "id"))
        rows = Order.objects.order_by("created_at", "id").prefetch_related(lines)[:25]
        if request.query_params.get("minimal"):
            return Response({"data": PlainOrderSerializer(rows, many=True).data})
        return Response({"data": SameDataOrderSerializer(rows, many=True).data})


plain_orders = PlainOrders.as_view()
