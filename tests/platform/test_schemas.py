import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from campaignhub.api import BODY_METHODS
from campaignhub.schemas import (
    Flag,
    Integer,
    InvalidBody,
    JsonBody,
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

    def test_a_method_without_a_declared_body_takes_no_fields(self, tenant_a):
        token = tenant_a.token.token
        response = self.send(tenant_a, "delete", f"/v1/tokens/{token.pk}", {"force": True})
        assert response.status_code == 400
        assert response.json()["errors"] == {"force": ["Unknown field."]}
        plain = Client().delete(f"/v1/tokens/{token.pk}", **bearer(tenant_a.token.raw))
        assert plain.status_code == 200
        assert plain.json()["data"] == {"id": token.pk, "name": token.name}
