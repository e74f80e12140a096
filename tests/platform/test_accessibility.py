"""Keyboard and screen-reader basics the pages share: a skip link, live regions, names."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FOCUSABLE = re.compile(r"<(a|button|input|select|textarea)\b(?![^>]*type=\"hidden\")[^>]*>")


def first_focusable(html):
    body = html[html.index("<body") :]
    return FOCUSABLE.search(body[body.index(">") :]).group(0)


@pytest.mark.parametrize("name", ["dashboard", "lead_list", "campaign_list", "members"])
def test_a_signed_in_page_starts_with_a_skip_link_to_its_main_content(tenant_a, name):
    html = tenant_a.admin_client.get(reverse(name)).content.decode()
    assert first_focusable(html) == '<a class="skip-link" href="#content">'
    assert '<main class="container" id="content" tabindex="-1">' in html


def test_the_login_page_starts_with_the_skip_link_too(client):
    html = client.get(reverse("login")).content.decode()
    assert first_focusable(html) == '<a class="skip-link" href="#content">'
    assert 'id="content" tabindex="-1"' in html
