"""A private market (the `market` fixture given a customer group), its members, and the checks
the customer group tests share (catalog.md "Customer groups and private markets")."""

import pytest
from django.forms import CheckboxInput, MultiWidget

from markets.models import CustomerGroup
from tests import factories as f
from tests.admin.conftest import staff_client  # noqa: F401 (the admin tests' superuser)
from tests.shop import build_shop

NOT_A_MEMBER = "is not a member of this market's customer group"


@pytest.fixture
def group(db) -> CustomerGroup:
    return f.CustomerGroupFactory(name="Wholesale", code="wholesale")


@pytest.fixture
def shop(market):
    """The `market` fixture's shop: one SKU at 10.00, shipping 5.00, wire transfers."""
    return build_shop(market, "CG")


@pytest.fixture
def private(market, group):
    """The `market` fixture made private (after any token its tests obtained first)."""

    def make():
        market.customer_group = group
        market.save()
        return market

    return make


def error(response, status: int) -> dict:
    """The one error of an answer with `status`."""
    assert response.status_code == status, response.content
    (only,) = response.json()["errors"]
    return only


def admin_form_data(response) -> dict:
    """The POST body of an admin change page as rendered (its form and inline formsets), for a
    test to change a field or two and save."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        forms += list(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            widget = field.widget
            if isinstance(widget, MultiWidget):
                parts = value if isinstance(value, list) else widget.decompress(value)
                for i, part in enumerate(parts):
                    data[f"{bound.html_name}_{i}"] = "" if part is None else part
            elif isinstance(widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            else:
                data[bound.html_name] = "" if value is None else value
    return data
