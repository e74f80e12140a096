"""The IVR tree checker page, the editor partial's include contract and `IvrTreeField`."""

import html
import json
import re

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client

from campaignhub.models import User
from invoca import ivr
from tests.invoca_tools.trees import (
    REFERENCE_403_REQUEST,
    REFERENCE_403_RESPONSE,
    REFERENCE_FAILOVER_TREE,
)

pytestmark = pytest.mark.django_db

PAGE = "/invoca/ivr/"


def data_errors(content: str):
    found = re.search(r'data-errors="([^"]*)"', content)
    text = html.unescape(found.group(1))
    return json.loads(text) if text else None


def textarea_text(content: str) -> str:
    found = re.search(
        r'<textarea name="ivr_tree" id="id_ivr_tree"[^>]*>(.*?)</textarea>', content, re.S
    )
    return html.unescape(found.group(1))


def test_the_checker_shows_an_empty_editor(tenant_a):
    response = tenant_a.member_client.get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    assert "IVR tree checker" in content
    assert 'data-validate-url="/v1/invoca/ivr/validate"' in content
    assert data_errors(content) is None
    assert textarea_text(content) == ""
    schema = json.loads(html.unescape(re.search(r'data-schema="([^"]*)"', content).group(1)))
    assert schema == ivr.editor_schema()
    assert "/static/invoca/ivr-editor.js" in content


def test_the_checker_needs_a_login():
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_someone_without_an_account_is_told_so(db):
    user = User.objects.create_user(email="loner@example.test", password="pw-123456789")
    client = Client()
    client.force_login(user)
    assert client.get(PAGE).status_code == 403


def test_a_valid_tree_is_said_valid_with_its_call_flow(tenant_a):
    response = tenant_a.member_client.post(PAGE, {"ivr_tree": json.dumps(REFERENCE_FAILOVER_TREE)})
    assert response.status_code == 200
    content = response.content.decode()
    assert "The tree meets Invoca's rules" in content
    assert (
        "Wrong key → Connect to (800) 437-7952: &quot;Forwarding you to an operator.&quot;"
        in content
    )
    assert data_errors(content) is None


def test_an_invalid_tree_comes_back_with_its_errors_for_the_nodes(tenant_a):
    raw = json.dumps(REFERENCE_403_REQUEST)
    response = tenant_a.member_client.post(PAGE, {"ivr_tree": raw})
    assert response.status_code == 400
    content = response.content.decode()
    assert data_errors(content) == REFERENCE_403_RESPONSE["error"]
    assert "Menu &gt; Key 1 (Menu): Prompt cannot be empty." in content
    assert "The IVR tree has errors; they are marked on the nodes below." in content
    assert textarea_text(content) == raw


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "This field is required."),
        ("{not json", "Enter the IVR tree as JSON: "),
        ("[" * 5000 + "]" * 5000, "Enter the IVR tree as JSON: nested too deeply"),
    ],
)
def test_text_that_is_not_a_tree_is_a_form_error(tenant_a, raw, message):
    response = tenant_a.member_client.post(PAGE, {"ivr_tree": raw})
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_json_value_that_is_not_an_object_is_a_tree_error(tenant_a):
    response = tenant_a.member_client.post(PAGE, {"ivr_tree": '"Menu"'})
    assert response.status_code == 400
    content = response.content.decode()
    assert data_errors(content) == {"ivr_tree": ["must be an object"]}
    assert "IVR tree must be an object." in content


# The include contract.


class CampaignishForm(forms.Form):
    ivr_tree = ivr.IvrTreeField(required=False, label="IVR tree")


INCLUDE = Template(
    '{% include "invoca/partials/_ivr_editor.html" with field=form.ivr_tree errors=ivr_errors %}'
)


def render(form, errors):
    return INCLUDE.render(Context({"form": form, "ivr_errors": errors}))


@pytest.mark.parametrize(
    "errors",
    [
        REFERENCE_403_RESPONSE,
        REFERENCE_403_RESPONSE["error"],
        {"name": ["can't be blank"], **REFERENCE_403_RESPONSE["error"]},
    ],
    ids=["invoca-403-body", "validate_tree", "form-error-dict"],
)
def test_the_partial_takes_invoca_errors_in_any_of_their_shapes(errors):
    form = CampaignishForm(initial={"ivr_tree": REFERENCE_403_REQUEST})
    content = render(form, errors)
    assert data_errors(content) == REFERENCE_403_RESPONSE["error"]
    assert "Menu &gt; Key 1 (Menu): Prompt cannot be empty." in content
    assert json.loads(textarea_text(content)) == REFERENCE_403_REQUEST


def test_the_partial_without_errors_has_an_empty_errors_attribute():
    content = render(CampaignishForm(), None)
    assert data_errors(content) is None
    assert textarea_text(content) == ""


def test_ivr_errors_reads_the_tree_errors_back_from_a_bound_form():
    form = CampaignishForm(data={"ivr_tree": json.dumps(REFERENCE_403_REQUEST)})
    assert not form.is_valid()
    assert ivr.ivr_errors(form) == REFERENCE_403_RESPONSE["error"]
    content = render(form, ivr.ivr_errors(form))
    assert textarea_text(content) == json.dumps(REFERENCE_403_REQUEST)
    assert "has-error" in content


def test_the_field_cleans_to_the_tree_and_allows_empty_when_optional():
    form = CampaignishForm(data={"ivr_tree": json.dumps(REFERENCE_FAILOVER_TREE)})
    assert form.is_valid()
    assert form.cleaned_data["ivr_tree"] == REFERENCE_FAILOVER_TREE
    empty = CampaignishForm(data={"ivr_tree": "  "})
    assert empty.is_valid() and empty.cleaned_data["ivr_tree"] is None
    assert ivr.ivr_errors(empty) is None


def test_the_field_refuses_over_long_text():
    form = CampaignishForm(data={"ivr_tree": " " * ivr.MAX_JSON_CHARS + "{}"})
    assert not form.is_valid()
    assert form.errors["ivr_tree"] == [
        f"The IVR tree is too long (at most {ivr.MAX_JSON_CHARS} characters)."
    ]
