import json

import pytest
import responses

from callrail import client as callrail
from callrail.client import CallRailClient
from campaignhub.http import ApiError
from tests.callrail.conftest import ACC, API, COM, FIXTURES, KEY, page, tracker_record


@pytest.fixture
def slept():
    return []


@pytest.fixture
def client(slept):
    return CallRailClient(KEY, base_url=API, sleep=slept.append)


def test_auth_header_is_token_not_bearer(client, upstream):
    upstream.get(f"{API}/a.json", json=page("accounts", []))
    client.accounts()
    sent = upstream.calls[0].request
    assert sent.headers["Authorization"] == f'Token token="{KEY}"'
    assert sent.headers["Request-From"] == "campaignhub"
    assert sent.url == f"{API}/a.json?page=1&per_page=10"


def test_sort_with_minus_means_descending(client, upstream):
    upstream.get(f"{API}/a/{ACC}/companies.json", json=page("companies", []))
    client.companies(ACC, sort="-created_at", search="Acme")
    assert upstream.calls[0].request.params == {
        "page": "1",
        "per_page": "10",
        "search": "Acme",
        "status": "active",
        "sort": "created_at",
        "order": "desc",
    }


def test_disabled_companies_are_included_only_when_asked(client, upstream):
    upstream.get(f"{API}/a/{ACC}/companies.json", json=page("companies", []))
    client.companies(ACC, include_disabled=True)
    assert "status" not in upstream.calls[0].request.params


def test_per_page_is_capped_at_250(client, upstream):
    upstream.get(f"{API}/a.json", json=page("accounts", []))
    client.accounts(per_page=1000)
    assert upstream.calls[0].request.params["per_page"] == "250"


def test_all_trackers_walks_every_page_past_250(client, upstream):
    def tracker(n):
        return tracker_record(id=f"TRK{n:032d}", tracking_numbers=[f"+1415555{n:04d}"])

    for number, items in enumerate([range(250), range(250, 500), range(500, 510)], start=1):
        upstream.get(
            f"{API}/a/{ACC}/trackers.json",
            json=page(
                "trackers",
                [tracker(n) for n in items],
                page=number,
                per_page=250,
                total_pages=3,
                total_records=510,
            ),
            match=[
                responses.matchers.query_param_matcher(
                    {"page": str(number), "per_page": "250", "company_id": COM, "status": "active"}
                )
            ],
        )
    trackers = list(client.all_trackers(ACC, company_id=COM))
    assert len(trackers) == 510
    assert len({t["id"] for t in trackers}) == 510


def test_get_retries_on_429_honouring_retry_after(client, upstream, slept):
    upstream.get(
        f"{API}/a.json",
        status=429,
        headers={"Retry-After": "3"},
        json={"error": "Too many requests"},
    )
    upstream.get(f"{API}/a.json", json=page("accounts", [{"id": ACC, "name": "A"}]))
    assert client.accounts().items[0]["id"] == ACC
    assert slept == [3.0]


def test_creating_a_tracker_is_never_sent_twice_after_a_5xx(client, upstream):
    upstream.post(f"{API}/a/{ACC}/trackers.json", status=502, json={"error": "Bad gateway"})
    with pytest.raises(ApiError) as caught:
        client.create_tracker(ACC, {"type": "source"})
    assert len(upstream.calls) == 1
    assert caught.value.status == 502


def test_errors_carry_callrails_message(client, upstream):
    upstream.post(
        f"{API}/a/{ACC}/trackers.json",
        status=400,
        json={"error": "Source Unknown tracking source type"},
    )
    with pytest.raises(ApiError, match="Source Unknown tracking source type") as caught:
        client.create_tracker(ACC, {"type": "source"})
    assert caught.value.permanent is True


def test_source_tracker_payload():
    payload = callrail.tracker_payload(
        {
            "type": "source",
            "name": "LinkedIn",
            "destination_number": "+14125551234",
            "record_calls": True,
            "whisper_message": "Call from LinkedIn",
            "source": "direct",
            "area_code": "412",
        },
        company_id=COM,
    )
    assert payload == {
        "name": "LinkedIn",
        "whisper_message": "Call from LinkedIn",
        "company_id": COM,
        "type": "source",
        "destination_number": "+14125551234",
        "call_flow": {
            "type": "basic",
            "destination_number": "+14125551234",
            "recording_enabled": True,
        },
        "source": {"type": "direct"},
        "tracking_number": {"area_code": "412"},
    }


def test_session_tracker_payload_puts_pool_size_at_the_top():
    payload = callrail.tracker_payload(
        {
            "type": "session",
            "name": "Website",
            "destination_number": "+14125551234",
            "pool_size": 10,
            "swap_targets": ["+14125551234"],
            "source": "all",
            "toll_free": True,
        },
        company_id=COM,
    )
    assert payload["pool_size"] == 10
    assert payload["pool_numbers"] == {"toll_free": True}
    assert payload["swap_targets"] == ["+14125551234"]
    assert "tracking_number" not in payload


def test_update_rebuilds_the_whole_call_flow():
    current = tracker_record()
    payload = callrail.tracker_payload({"record_calls": False}, current=current)
    assert payload == {
        "destination_number": "+14155550100",
        "call_flow": {
            "type": "basic",
            "destination_number": "+14155550100",
            "recording_enabled": False,
        },
    }
    assert callrail.tracker_payload({"name": "New"}, current=current) == {"name": "New"}


def test_tracker_out_is_the_reference_shape():
    out = callrail.tracker_out(tracker_record())
    assert out["tracking_number"] == "+14155550134"
    assert out["formatted_tracking_number"] == "(415) 555-0134"
    assert out["company_id"] == COM
    assert out["record_calls"] is True
    assert out["pool_size"] == 1
    assert out["source"] == "google_ad_extension"


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_is_classified_as_its_event(path):
    event = path.stem.split("__")[0]
    assert callrail.classify(json.loads(path.read_text())) == event
