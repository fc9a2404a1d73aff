"""Bench-only helpers, active when settings.BENCH is on (`make bench`), never in production.

- SqlCountMiddleware: counts the SQL statements of each request into an `X-SQL-Statements`
  response header, so the load generator can report statements per request and per flow.
- plain_orders: the same 25 orders with line items as a plain DRF serializer (no JSON:API),
  the baseline the JSON:API list with includes is compared against.
"""

from django.db import connection
from rest_framework import serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.response import Response


class SqlCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-SQL-Statements"] = str(count)
        return response


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


@api_view(["GET"])
@authentication_classes([])
@permission_classes([])
def plain_orders(request):
    from orders.models import Order

    rows = Order.objects.order_by("-created_at", "-id").prefetch_related("line_items")[:25]
    return Response({"data": PlainOrderSerializer(rows, many=True).data})
