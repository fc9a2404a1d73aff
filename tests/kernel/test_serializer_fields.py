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


def test_a_write_validates_the_attributes_it_carries():
    """A write's serializer (context "attributes": what its request carries) holds those
    fields, and on a create the ones checked when absent: a missing required attribute is
    still an error, a carried one is still checked, what is not carried is not touched."""
    from commerce.serializers import AddressSerializer

    update = OrderSerializer(
        data={"customer_email": "nope"}, partial=True, context={"attributes": {"customer_email"}}
    )
    assert set(update.fields) == {"customer_email"}
    assert not update.is_valid()
    assert set(update.errors) == {"customer_email"}

    nothing = OrderSerializer(data={}, partial=True, context={"attributes": frozenset()})
    assert nothing.is_valid() and nothing.validated_data == {}
    assert not nothing.fields

    create = AddressSerializer(data={"city": 12}, context={"attributes": {"city"}})
    whole = AddressSerializer(data={"city": 12})
    assert not create.is_valid() and not whole.is_valid()
    assert create.errors == whole.errors  # city's type, and line_1, country_code, phone missing
    assert {"city", "line_1", "country_code", "phone"} <= set(create.errors)
    assert len(create.fields) < len(whole.fields)
