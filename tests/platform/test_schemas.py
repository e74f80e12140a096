import json
from decimal import Decimal
from typing import Annotated

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from campaignhub.api import BODY_METHODS
from campaignhub.cleaning import NumberTooLong, parse_json
from campaignhub.schemas import (
    ExactNumbers,
    Flag,
    Integer,
    InvalidBody,
    JsonBody,
    Money,
    Number,
    OpenJsonBody,
    Text,
    TextOrInteger,
    check,
)
from tests.factories import bearer


class Item(JsonBody):
    id: Integer = None
    label: Text | None = None


class Inner(JsonBody):
    subject: Text = None
    items: list[Item] = None


class Outer(JsonBody):
    name: Text = None
    active: Flag = None
    amount: Number | None = None
    ref: TextOrInteger = None
    details: Inner = None


class Wrapped(JsonBody):
    envelope = "data"
    data: Outer


class Open(OpenJsonBody):
    name: Text = None


def invalid(schema, data):
    with pytest.raises(InvalidBody) as caught:
        check(schema, data)
    return caught.value.message, caught.value.errors


def test_a_body_of_declared_types_comes_back_as_sent():
    body = {
        "name": "Ann",
        "active": False,
        "amount": 12,
        "ref": 7,
        "details": {"subject": "Hi", "items": [{"id": 1, "label": None}]},
    }
    assert check(Outer, body) == body
    assert check(Outer, {}) == {}
    assert check(Outer, {"amount": None}) == {"amount": None}


@pytest.mark.parametrize(
    ("data", "message", "errors"),
    [
        ({"name": ["a"]}, "name must be a string.", {"name": ["Must be a string."]}),
        ({"name": 5}, "name must be a string.", {"name": ["Must be a string."]}),
        ({"name": None}, "name must be a string.", {"name": ["Must be a string."]}),
        ({"active": 1}, "active must be true or false.", {"active": ["Must be true or false."]}),
        (
            {"active": "true"},
            "active must be true or false.",
            {"active": ["Must be true or false."]},
        ),
        ({"amount": "5"}, "amount must be a number.", {"amount": ["Must be a number."]}),
        ({"amount": True}, "amount must be a number.", {"amount": ["Must be a number."]}),
        (
            {"ref": ["a"]},
            "ref must be a string or an integer.",
            {"ref": ["Must be a string or an integer."]},
        ),
        (
            {"ref": 1.5},
            "ref must be a string or an integer.",
            {"ref": ["Must be a string or an integer."]},
        ),
        ({"details": "x"}, "details must be an object.", {"details": ["Must be an object."]}),
        (
            {"details": {"subject": ["x"]}},
            "details.subject must be a string.",
            {"details": ["subject: Must be a string."]},
        ),
        (
            {"details": {"items": {"id": 1}}},
            "details.items must be a list.",
            {"details": ["items: Must be a list."]},
        ),
        (
            {"details": {"items": [{"id": 1}, {"id": "2"}]}},
            "details.items[1].id must be an integer.",
            {"details": ["items: [1] id: Must be an integer."]},
        ),
        (
            {"details": {"items": [{"id": 1.0}]}},
            "details.items[0].id must be an integer.",
            {"details": ["items: [0] id: Must be an integer."]},
        ),
        ({"colour": "red"}, "Unknown field: colour.", {"colour": ["Unknown field."]}),
        (
            {"colour": "red", "size": 1},
            "Unknown fields: colour, size.",
            {"colour": ["Unknown field."], "size": ["Unknown field."]},
        ),
        (
            {"details": {"cc": "x"}},
            "Unknown field: cc.",
            {"details": ["Unknown field: cc."]},
        ),
    ],
)
def test_a_wrong_json_type_names_the_field(data, message, errors):
    assert invalid(Outer, data) == (message, errors)


def test_every_bad_field_is_listed():
    message, errors = invalid(Outer, {"name": [], "active": "no", "colour": 1})
    assert message == "name must be a string."
    assert errors == {
        "name": ["Must be a string."],
        "active": ["Must be true or false."],
        "colour": ["Unknown field."],
    }


def test_errors_inside_an_envelope_name_the_inner_fields():
    assert invalid(Wrapped, {"data": {"name": ["a"]}}) == (
        "name must be a string.",
        {"name": ["Must be a string."]},
    )
    assert invalid(Wrapped, {"data": {"colour": 1}}) == (
        "Unknown field: colour.",
        {"colour": ["Unknown field."]},
    )
    assert invalid(Wrapped, {"data": []}) == (
        "data must be an object.",
        {"data": ["Must be an object."]},
    )
    assert invalid(Wrapped, {}) == ("data is required.", {"data": ["This field is required."]})


def test_an_open_body_keeps_undeclared_fields_but_checks_declared_ones():
    assert check(Open, {"name": "Ann", "utm_source": ["google"]}) == {
        "name": "Ann",
        "utm_source": ["google"],
    }
    assert invalid(Open, {"name": {"first": "Ann"}}) == (
        "name must be a string.",
        {"name": ["Must be a string."]},
    )


class Priced(JsonBody):
    price: Money | None = None
    fees: Annotated[dict, ExactNumbers()] = None
    extras: dict = None
    details: Inner = None


def _outcome(schema, data):
    """What `check` makes of `data`: the body it returns, or its error, with each value's type
    (1.0 and 1 compare equal)."""
    try:
        body = check(schema, data)
    except InvalidBody as exc:
        return exc.message, exc.errors
    return json.dumps(body, default=repr), _types(body)


def _types(value):
    if isinstance(value, dict):
        return {key: _types(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_types(item) for item in value]
    return type(value).__name__


@pytest.mark.parametrize(
    "written",
    [
        '{"amount": 1.5, "name": "a"}',
        '{"amount": 2.0000000000000001}',
        '{"amount": -1e-400}',
        '{"amount": 1e400}',
        '{"amount": 12}',
        '{"active": 1.0}',
        '{"name": 0.5}',
        '{"ref": 2.5}',
        '{"ref": 2.0}',
        '{"details": {"items": [{"id": 1.0}]}}',
        '{"details": {"subject": -0.0, "items": [{"id": 1, "label": 1e2}]}}',
        '{"colour": 1.5}',
        '{"amount": -0}',
        '{"details": {"items": [{"id": -0}]}}',
    ],
)
def test_numbers_read_exactly_check_as_the_floats_json_reads_outside_money(written):
    exact = parse_json(written, exact_numbers=True)
    assert _outcome(Outer, exact) == _outcome(Outer, json.loads(written))


def test_money_keeps_the_decimal_written_and_every_other_number_is_a_float():
    written = (
        '{"price": 19.990, "fees": {"rate": 0.125, "list": [1.10]},'
        ' "extras": {"rate": 0.125, "list": [1.10, {"deep": 2.50}]},'
        ' "details": {"subject": "x", "items": [{"id": 1, "label": null}]}}'
    )
    body = check(Priced, parse_json(written, exact_numbers=True))
    assert body == {
        "price": Decimal("19.99"),
        "fees": {"rate": Decimal("0.125"), "list": [Decimal("1.10")]},
        "extras": {"rate": 0.125, "list": [1.1, {"deep": 2.5}]},
        "details": {"subject": "x", "items": [{"id": 1, "label": None}]},
    }
    assert str(body["price"]) == "19.99"
    assert type(body["extras"]["list"][1]["deep"]) is float


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("100.000000000000001", "100.000000000000001"),
        ("-1e-400", "-1E-400"),
        ("-0.00", "-0"),
        ("-0", "-0"),
        ("0.000", "0"),
        ("100.00", "100"),
        ("1.50e3", "1.50E+3"),
        ("0.0150", "0.015"),
        ("7", "7"),
    ],
)
def test_money_is_the_value_written_less_the_zeros_ending_its_fraction(written, kept):
    price = check(Priced, parse_json(f'{{"price": {written}}}', exact_numbers=True))["price"]
    assert str(price) == kept


@pytest.mark.parametrize("written", ['"12"', "true", "[1]", "{}"])
def test_money_of_another_json_type_must_be_a_number(written):
    assert invalid(Priced, parse_json(f'{{"price": {written}}}', exact_numbers=True)) == (
        "price must be a number.",
        {"price": ["Must be a number."]},
    )


def test_a_number_no_decimal_can_hold_is_malformed_json():
    with pytest.raises(ValueError, match="Malformed JSON: the number 1e999999999999999999999"):
        parse_json('{"price": 1e999999999999999999999}', exact_numbers=True)


def _v1_views(resolver=None, prefix=""):
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _v1_views(entry, route)
        elif isinstance(entry, URLPattern) and route.startswith("v1/"):
            yield route, entry.callback


def test_every_v1_endpoint_declares_the_body_of_each_method_that_takes_one():
    views = list(_v1_views())
    assert len(views) >= 10
    for route, view in views:
        for method in set(view.api_methods) & BODY_METHODS:
            schema = view.api_bodies[method]
            assert issubclass(schema, JsonBody), (route, method)


@pytest.mark.django_db
@pytest.mark.urls("tests.platform.api_urls")
class TestApiView:
    def send(self, tenant, method, path, body):
        return getattr(Client(), method)(
            path, json.dumps(body), content_type="application/json", **bearer(tenant.token.raw)
        )

    def test_the_declared_schema_is_checked_before_the_view(self, tenant_a):
        response = self.send(tenant_a, "post", "/v1/echo", {"title": ["x"], "count": "2"})
        assert response.status_code == 400
        assert response.json() == {
            "success": False,
            "errno": 400,
            "message": "title must be a string.",
            "errors": {"title": ["Must be a string."], "count": ["Must be an integer."]},
        }

    def test_the_view_gets_the_body_and_the_form_checks_values(self, tenant_a):
        response = self.send(tenant_a, "post", "/v1/echo", {"title": "Hello", "count": None})
        assert response.status_code == 201
        assert response.json()["data"] == {"title": "Hello", "count": None}
        refused = self.send(tenant_a, "post", "/v1/echo", {"title": "x" * 21})
        assert refused.status_code == 400
        assert list(refused.json()["errors"]) == ["title"]

    def test_a_number_no_decimal_can_hold_is_a_400(self, tenant_a):
        response = Client().post(
            "/v1/echo",
            '{"title": "x", "count": 1e-999999999999999999999}',
            content_type="application/json",
            **bearer(tenant_a.token.raw),
        )
        assert response.status_code == 400
        assert response.json()["message"].startswith("Malformed JSON: the number 1e-9999")

    def test_a_method_without_a_declared_body_takes_no_fields(self, tenant_a):
        token = tenant_a.token.token
        response = self.send(tenant_a, "delete", f"/v1/tokens/{token.pk}", {"force": True})
        assert response.status_code == 400
        assert response.json()["errors"] == {"force": ["Unknown field."]}
        plain = Client().delete(f"/v1/tokens/{token.pk}", **bearer(tenant_a.token.raw))
        assert plain.status_code == 200
        assert plain.json()["data"] == {"id": token.pk, "name": token.name}


TOO_LONG = "9" * 5000


@pytest.mark.parametrize("exact_numbers", [True, False])
def test_an_integer_too_long_to_read_says_where_and_how_long_it_may_be(exact_numbers):
    """int() refuses over 4,300 digits with advice for Python programmers; never shown."""
    with pytest.raises(NumberTooLong) as refused:
        parse_json(f'{{"a": {{"b": [1, {TOO_LONG}]}}}}', exact_numbers=exact_numbers)
    assert refused.value.path == ("a", "b", 1)
    assert str(refused.value) == "a.b[1]: Enter a whole number of at most 4300 digits."
    assert parse_json(f'{{"x": {"9" * 4300}}}', exact_numbers=exact_numbers)["x"] > 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("campaigndata", "field", "entry"),
    [
        ({"owner": int(TOO_LONG[:10])}, "owner", "Enter a whole number of at most 4300 digits."),
        (
            {"selected_user": [{"id": int(TOO_LONG[:10])}]},
            "selected_user",
            "[0] id: Enter a whole number of at most 4300 digits.",
        ),
    ],
)
def test_an_api_integer_too_long_to_read_is_a_400_naming_its_field(
    tenant_a, campaigndata, field, entry
):
    from campaigns.models import Campaign

    body = json.dumps(
        {"campaigndata": {"campaign_name": "Roofing", "integration": "form", **campaigndata}}
    ).replace(TOO_LONG[:10], TOO_LONG)
    response = Client().post(
        "/v1/campaigns", body, content_type="application/json", **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 400
    answer = response.json()
    assert answer["errors"] == {field: [entry]}
    assert "sys.set_int_max_str_digits" not in response.content.decode()
    assert answer["message"].endswith(": Enter a whole number of at most 4300 digits.")
    assert not Campaign.objects.exists()
