"""The JSON:API renderer writes with orjson the very text `json` with Django's encoder writes
(datetimes to the millisecond with a Z, decimals and lazy strings as strings, UTF-8 kept), and
falls back to `json` for what orjson refuses."""

import datetime
import json
from decimal import Decimal

import orjson
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy

from commerce.jsonapi.renderers import JSONAPIRenderer


def json_text(data) -> bytes:
    return json.dumps(
        data, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


def test_the_text_is_what_json_with_djangos_encoder_writes():
    when = datetime.datetime(2026, 12, 5, 8, 54, 33, 123456, tzinfo=datetime.UTC)
    document = {
        "data": [
            {
                "type": "orders",
                "id": "AbCdEfGhIj",
                "attributes": {
                    "placed_at": when,
                    "expires_on": when.date(),
                    "tax_rate": Decimal("0.082500"),
                    "name": "Crème brûlée – 東京",
                    "title": gettext_lazy("Not found"),
                    "total_amount_float": 12.5,
                    "metadata": {"nested": [1, None, True, {"k": "v"}]},
                    "count": 10**15,
                },
            }
        ],
        "meta": {"record_count": 1},
    }
    rendered = JSONAPIRenderer().render(document)
    assert rendered == json_text(document)
    assert json.loads(rendered)["data"][0]["attributes"]["placed_at"] == "2026-12-05T08:54:33.123Z"


def test_what_orjson_refuses_is_written_by_json():
    huge = {"meta": {"n": 2**70}}
    assert JSONAPIRenderer().render(huge) == json_text(huge)
    surrogate = {"errors": [{"source": {"pointer": "/data/attributes/\udc80"}}]}
    text = JSONAPIRenderer().render(surrogate)
    assert json.loads(text) == surrogate  # escaped as \udc80, still valid JSON text


def test_json_text_a_document_holds_is_written_by_either_writer():
    """A view's document holds its resources' links-only relationships as JSON text
    (orjson.Fragment): orjson writes it as it is, and the `json` fallback reads it back as data."""
    relationships = {"market": {"links": {"self": "https://x/api/orders/A/relationships/market"}}}
    text = orjson.Fragment(orjson.dumps(relationships))
    document = {"data": {"type": "orders", "id": "A", "relationships": text}}
    assert JSONAPIRenderer().render(document) == json_text(
        {"data": {"type": "orders", "id": "A", "relationships": relationships}}
    )
    refused = {**document, "meta": {"n": 2**70}}
    assert json.loads(JSONAPIRenderer().render(refused)) == {
        "data": {"type": "orders", "id": "A", "relationships": relationships},
        "meta": {"n": 2**70},
    }
