from django.urls import path

from bench.views import plain_orders

urlpatterns = [path("plain-orders", plain_orders)]
