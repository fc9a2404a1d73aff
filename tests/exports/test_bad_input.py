"""Whatever a POST carries, an export's create answers a 4xx with a pointer, never a 500."""

import pytest

from bulk.models import Export
from tests import factories as f
from tests.exports.helpers import create_export

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "attrs",
    [
        {"resource_type": "skus", "filters": {"code_eq": "\u0000"}},
        {"resource_type": "skus", "filters": {"code_eq": "a" * 100000}},
        {"resource_type": "skus", "filters": {"created_at_gt": "notadate"}},
        {"resource_type": "skus", "filters": {"weight_gt": "1e999"}},
        {"resource_type": "skus", "filters": {"": "x"}},
        {"resource_type": "skus", "filters": {"code_eq": None}},
        {"resource_type": "skus", "filters": {"code_eq": 1.5e308}},
        {"resource_type": "skus", "filters": []},
        {"resource_type": "skus", "includes": ["a..b"]},
        {"resource_type": "skus", "includes": "prices"},
        {"resource_type": "skus", "includes": [""]},
        {"resource_type": "skus", "fields": [""]},
        {"resource_type": "skus", "fields": "code"},
        {"resource_type": 5},
        {"resource_type": None},
        {},
        {"resource_type": "skus", "format": "xml"},
        {"resource_type": "skus", "dry_data": "yes"},
        {"resource_type": "skus", "status": "completed"},
        {"resource_type": "skus", "records_count": 5},
    ],
)
def test_bad_input_is_a_4xx_with_a_pointer(integration, attrs):
    f.SkuFactory()
    response = create_export(integration, **attrs)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["errors"][0]["source"]["pointer"].startswith("/data/attributes/")
    assert not Export.objects.exists()
