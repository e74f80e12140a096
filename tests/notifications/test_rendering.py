import pytest

from campaignhub.models import Account
from notifications.rendering import event_channels, gsm_safe, render_channel, substitute


def test_substitute_replaces_known_keys_only():
    text = "New lead {{lead_name}} for {{ campaign_name }}; {{unknown}} stays"
    assert substitute(text, {"lead_name": "Ann", "campaign_name": "Roofing"}) == (
        "New lead Ann for Roofing; {{unknown}} stays"
    )


@pytest.mark.parametrize(
    "text",
    [
        "{% for x in y %}loop{% endfor %}",
        "{{ user.password }}",
        "{{lead_name|upper}}",
        "{% load static %}{% debug %}",
    ],
)
def test_substitute_never_runs_template_code(text):
    assert substitute(text, {"lead_name": "Ann", "user": "x"}) == text


def test_substitute_handles_empty_text():
    assert substitute(None, {"a": 1}) == ""


def test_gsm_safe_replaces_lookalike_characters_but_keeps_length():
    text = "Call\u00a0now \u2014 \u201cAnn\u201d isn\u2019t waiting\u2026 " + "x" * 300
    safe = gsm_safe(text)
    assert safe.startswith('Call now - "Ann" isn\'t waiting... ')
    assert safe.endswith("x" * 300)


def test_event_channels_follow_the_template_files():
    assert event_channels("test") == ["email", "sms", "push"]
    assert event_channels("test_push") == ["push"]
    with pytest.raises(ValueError, match="No templates found"):
        event_channels("no_such_event")


@pytest.mark.django_db
def test_text_is_not_escaped_and_html_is():
    account = Account.objects.create(name="Bits & <Bobs>")
    context = {"account": account, "user": None}
    email = render_channel("test", "email", context)
    assert email["subject"] == "CampaignHub test notification"
    assert "Bits & <Bobs>" in email["body"]
    assert "Bits &amp; &lt;Bobs&gt;" in email["html_body"]
    assert render_channel("test", "sms", context)["body"] == (
        "CampaignHub test from Bits & <Bobs>: SMS alerts reach you."
    )


def test_a_push_title_is_its_own_where_the_event_has_one_else_the_subject():
    context = {"subject": "Lead Ann for a long campaign subject", "campaign_name": "Roofing"}
    context.update(lead_caller="Ann (+14155550111)", lead_source="Call")
    lead_push = render_channel("lead_arrived", "push", context)
    assert (lead_push["subject"], lead_push["body"]) == (
        "New lead for Roofing",
        "Ann (+14155550111) · Call",
    )
    assert render_channel("test_push", "push", {})["subject"] == "CampaignHub test push"
