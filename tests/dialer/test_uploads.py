import json

import pytest

from dialer import uploads
from dialer.models import BatchStatus, Contact, UploadBatch, UploadStatus
from tests.dialer.conftest import API, csv_file, numbers

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload_list(django_capture_on_commit_callbacks):
    """Upload as a request does: the send task runs once the upload is committed."""

    def upload(campaign, file):
        with django_capture_on_commit_callbacks(execute=True):
            return uploads.upload_lead_list(campaign=campaign, file=file)

    return upload


def _contacts_url(campaign):
    return f"{API}/campaigns/{campaign.ref}/contacts"


def _sent_refs(upstream):
    return [
        contact["ref"]
        for call in upstream.calls
        if call.request.url.endswith("/contacts")
        for contact in json.loads(call.request.body)["contacts"]
    ]


def test_250_valid_rows_go_in_batches_of_100_100_50(campaign, upstream, upload_list):
    upstream.post(_contacts_url(campaign), status=201, json={"accepted": 100})
    upload = upload_list(campaign, csv_file(numbers(250)))
    sizes = [len(json.loads(call.request.body)["contacts"]) for call in upstream.calls]
    assert sizes == [100, 100, 50]
    upload.refresh_from_db()
    assert (upload.status, upload.batches_sent, upload.contacts_sent) == ("sent", 3, 250)
    assert list(upload.batches.values_list("size", "status")) == [
        (100, "sent"),
        (100, "sent"),
        (50, "sent"),
    ]
    campaign.refresh_from_db()
    assert (campaign.contacts_total, campaign.contacts_sent) == (250, 250)


def test_contact_refs_are_prefixed_with_the_campaign_ref_and_unique(
    campaign, upstream, upload_list
):
    upstream.post(_contacts_url(campaign), status=201, json={"accepted": 1})
    upload_list(campaign, csv_file(numbers(3)))
    upload_list(campaign, csv_file(numbers(2, start=10)))
    refs = _sent_refs(upstream)
    assert refs == [f"{campaign.ref}-{n}" for n in range(1, 6)]
    assert campaign.ref.startswith("ch-")
    assert Contact.objects.filter(campaign=campaign).count() == len(set(refs)) == 5


def test_invalid_rows_are_reported_and_never_sent(campaign, upstream, upload_list):
    upstream.post(_contacts_url(campaign), status=201, json={"accepted": 2})
    rows = ["+14155550100,Ada,Lovelace,ada@example.com", "not a phone,Bob,,", "4.155550134E9,Eve,,"]
    rows.append("+14155550101,Cy,,")
    upload = upload_list(campaign, csv_file(rows))
    assert (upload.rows_total, upload.rows_valid, upload.rows_invalid) == (4, 2, 2)
    assert sorted(error["row"] for error in upload.errors) == [3, 4]
    assert all(error["field"] == "phone" for error in upload.errors)
    sent = [
        c["number"] for call in upstream.calls for c in json.loads(call.request.body)["contacts"]
    ]
    assert sent == ["+14155550100", "+14155550101"]
    assert upload.error_report
    report = upload.error_report.open("rb").read().decode("utf-8-sig")
    assert report.splitlines()[0].startswith("row")


def test_a_phone_already_in_the_campaign_is_refused(campaign, upstream, upload_list):
    upstream.post(_contacts_url(campaign), status=201, json={"accepted": 1})
    upload_list(campaign, csv_file(["+14155550100"]))
    again = upload_list(campaign, csv_file(["+14155550100"]))
    assert (again.rows_valid, again.rows_invalid) == (0, 1)
    assert Contact.objects.filter(campaign=campaign).count() == 1


def test_a_failed_batch_resumes_there_without_sending_a_contact_twice(
    campaign, upstream, upload_list
):
    url = _contacts_url(campaign)
    upstream.post(url, status=201, json={"accepted": 100})
    upstream.post(url, status=400, json={"error": "contacts[3].number is not a number"})
    upload = upload_list(campaign, csv_file(numbers(250)))
    upload.refresh_from_db()
    assert (upload.status, upload.batches_sent) == (UploadStatus.FAILED, 1)
    assert "Batch 2 of 3" in upload.last_error
    failed = UploadBatch.objects.get(upload=upload, index=1)
    assert (failed.status, failed.attempts) == (BatchStatus.FAILED, 1)

    before = _sent_refs(upstream)
    upstream.reset()
    upstream.post(url, status=201, json={"accepted": 100})
    assert uploads.send_batches(upload.pk) is True
    after = _sent_refs(upstream)
    # The first batch went once; the refused one is sent again, then the last.
    assert before == [f"{campaign.ref}-{n}" for n in range(1, 201)]
    assert after == [f"{campaign.ref}-{n}" for n in range(101, 251)]
    upload.refresh_from_db()
    assert (upload.status, upload.contacts_sent, upload.batches_sent) == ("sent", 250, 3)


def test_a_batch_the_dialer_already_took_is_not_sent_again_under_other_refs(
    campaign, upstream, upload_list
):
    url = _contacts_url(campaign)
    upstream.post(url, status=503, json={"error": "down"})
    upload = upload_list(campaign, csv_file(numbers(5)))
    batch = UploadBatch.objects.get(upload=upload)
    assert batch.status == BatchStatus.FAILED
    # The 503 came after the dialer stored them: the resend is refused as known refs.
    upstream.reset()
    upstream.post(url, status=409, json={"error": f"contact ref {campaign.ref}-1 exists"})
    assert uploads.send_batches(upload.pk) is True
    batch.refresh_from_db()
    assert (batch.status, batch.attempts) == (BatchStatus.SENT, 2)


def test_a_batch_held_by_a_live_worker_is_not_sent_by_another(campaign, upstream, upload_list):
    from django.utils import timezone

    upstream.post(_contacts_url(campaign), status=503, json={"error": "down"})
    upload = upload_list(campaign, csv_file(numbers(5)))
    UploadBatch.objects.filter(upload=upload).update(claimed_at=timezone.now())
    calls = len(upstream.calls)
    assert uploads.send_batches(upload.pk) is False
    assert len(upstream.calls) == calls


def test_a_file_without_a_phone_column_is_refused_and_nothing_kept(campaign, upload_list):
    from campaignhub.api import ApiProblem

    with pytest.raises(ApiProblem) as refused:
        uploads.upload_lead_list(
            campaign=campaign, file=csv_file(["Ada,Lovelace"], header="first_name,last_name")
        )
    assert refused.value.status == 400
    assert not campaign.uploads.exists()
    assert not Contact.objects.exists()


def test_a_transient_failure_that_outlasts_the_tries_leaves_the_upload_resumable(
    campaign, upstream, upload_list
):
    upstream.post(_contacts_url(campaign), status=503, json={"error": "down"})
    upload = upload_list(campaign, csv_file(numbers(5)))
    upload.refresh_from_db()
    # In-process there is no later try: the upload says failed, so the page offers Resume.
    assert upload.status == UploadStatus.FAILED
    assert "Service unavailable" in upload.last_error or "down" in upload.last_error
