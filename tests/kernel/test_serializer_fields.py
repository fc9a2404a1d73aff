"""A resource serializer's fields are built from the model once per class (DRF builds them for
every instance, on every write); each instance still gets fields of its own: bound to it,
trimmed by its own sparse fieldset, validating its own data."""

from rest_framework import serializers

from orders.serializers import LineItemSerializer, OrderSerializer


class FreshSerializer(OrderSerializer):
    """A class no other test has built yet."""


def test_fields_are_built_once_per_class(monkeypatch):
    built = []
    original = serializers.ModelSerializer.build_field

    def counting(self, *args):
        built.append(type(self))
        return original(self, *args)

    monkeypatch.setattr(serializers.ModelSerializer, "build_field", counting)
    for _ in range(3):
        assert "customer_email" in FreshSerializer().fields
    assert (
        0 < len(built) == len(set(FreshSerializer().fields)) - len(FreshSerializer._declared_fields)
    )


def test_each_instance_has_fields_of_its_own():
    sparse = OrderSerializer(context={"sparse_fields": {"number", "status"}})
    whole = OrderSerializer()
    assert set(sparse.fields) == {"number", "status"}
    assert {"number", "status", "customer_email", "created_at"} <= set(whole.fields)
    assert sparse.fields["number"] is not whole.fields["number"]
    assert sparse.fields["number"].parent is sparse
    assert whole.fields["number"].parent is whole
    assert LineItemSerializer().fields["quantity"].parent is not None


def test_each_instance_validates_its_own_data():
    bad = OrderSerializer(data={"customer_email": "not an email"}, partial=True)
    good = OrderSerializer(data={"customer_email": "ada@example.com"}, partial=True)
    assert not bad.is_valid()
    assert good.is_valid(), good.errors
    assert set(bad.errors) == {"customer_email"}
    assert good.validated_data == {"customer_email": "ada@example.com"}
