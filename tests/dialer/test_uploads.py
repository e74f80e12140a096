import json
import os
from datetime import timedelta

import pytest
from django.utils import timezone

from dialer import uploads
from dialer.models import (
    BatchStatus,
    Contact,
    DialerCampaign,
    LeadListUpload,
    PendingAction,
    UploadBatch,
    UploadStatus,
)
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


def test_a_file_named_xlsx_that_is_no_workbook_is_refused_and_nothing_kept(campaign):
    from campaignhub.api import ApiProblem

    with pytest.raises(ApiProblem) as refused:
        uploads.upload_lead_list(campaign=campaign, file=csv_file(numbers(2), name="leads.xlsx"))
    assert refused.value.status == 400
    assert "not an Excel workbook that can be read" in refused.value.message
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


# The sweeper: uploads left unsent are retried after their backoff, then given up cleanly.

BACKOFF = 60


@pytest.fixture
def sweeper(settings, django_capture_on_commit_callbacks):
    """`sweep(seconds_from_now)` runs the sweeper as of then (its sends run at once)."""
    settings.DIALER_UPLOAD_RETRY_BACKOFF = BACKOFF
    settings.DIALER_UPLOAD_MAX_RETRIES = 2

    def sweep(after=0):
        with django_capture_on_commit_callbacks(execute=True):
            return uploads.retry_stuck_uploads(now=timezone.now() + timedelta(seconds=after))

    return sweep


def _posts(upstream):
    return sum(1 for call in upstream.calls if call.request.url.endswith("/contacts"))


def test_an_upload_whose_task_never_ran_is_sent_by_the_sweeper_after_the_backoff(
    campaign, upstream, sweeper
):
    upstream.post(_contacts_url(campaign), status=201, json={"accepted": 5})
    # The task is queued after commit; here the message is lost (never run).
    upload = uploads.upload_lead_list(campaign=campaign, file=csv_file(numbers(5)))
    assert upload.status == UploadStatus.SENDING and upload.retry_at is not None
    assert sweeper() == [] and _posts(upstream) == 0
    assert sweeper(BACKOFF + 1) == [upload.pk]
    upload.refresh_from_db()
    assert (upload.status, upload.contacts_sent, upload.retry_at) == ("sent", 5, None)
    assert _posts(upstream) == 1


def test_a_transient_failure_is_retried_after_its_backoff(campaign, upstream, upload_list, sweeper):
    url = _contacts_url(campaign)
    upstream.post(url, status=503, json={"error": "down"})
    upload = upload_list(campaign, csv_file(numbers(5)))
    upload.refresh_from_db()
    # The task's own tries are over: failed, Resume offered, and still due for the sweeper.
    assert upload.status == UploadStatus.FAILED and upload.retry_at is not None
    assert sweeper(BACKOFF - 5) == []
    upstream.reset()
    upstream.post(url, status=201, json={"accepted": 5})
    assert sweeper(BACKOFF + 1) == [upload.pk]
    upload.refresh_from_db()
    assert (upload.status, upload.contacts_sent, upload.last_error) == ("sent", 5, "")
    assert _sent_refs(upstream) == [f"{campaign.ref}-{n}" for n in range(1, 6)]


def test_a_sweep_run_twice_retries_once(campaign, upstream, upload_list, sweeper):
    upstream.post(_contacts_url(campaign), status=503, json={"error": "down"})
    upload = upload_list(campaign, csv_file(numbers(5)))
    before = _posts(upstream)
    assert sweeper(BACKOFF + 1) == [upload.pk]
    assert sweeper(BACKOFF + 1) == []
    assert _posts(upstream) == before + 1
    upload.refresh_from_db()
    assert upload.auto_retries == 1
    # The retry failed just now (the send ran at once): the next waits twice as long from it.
    assert sweeper(2 * BACKOFF - 5) == []
    assert sweeper(2 * BACKOFF + 1) == [upload.pk]


def test_a_sweeper_that_found_the_upload_already_claimed_leaves_it(
    campaign, upstream, upload_list, sweeper
):
    upstream.post(_contacts_url(campaign), status=503, json={"error": "down"})
    upload = upload_list(campaign, csv_file(numbers(5)))
    found = LeadListUpload.objects.get(pk=upload.pk)
    sweeper(BACKOFF + 1)
    # A second sweeper read the row before the first claimed it: its claim matches nothing.
    stale = LeadListUpload.objects.filter(pk=found.pk, retry_at=found.retry_at)
    assert stale.update(auto_retries=99) == 0


def test_the_sweeper_gives_up_cleanly_after_its_retries_and_resume_stays(
    tenant_a, campaign, upstream, upload_list, sweeper, django_capture_on_commit_callbacks
):
    url = _contacts_url(campaign)
    upstream.post(url, status=503, json={"error": "down"})
    upload = upload_list(campaign, csv_file(numbers(5)))
    later = 0
    for retry in (1, 2):
        later += BACKOFF * 2 ** (retry - 1) + 1
        assert sweeper(later) == [upload.pk]
    later += BACKOFF * 4 + 1
    assert sweeper(later) == []
    upload.refresh_from_db()
    assert (upload.status, upload.retry_at, upload.auto_retries) == ("failed", None, 2)
    assert "Gave up after 2 automatic retries" in upload.last_error
    posts = _posts(upstream)
    assert sweeper(later + 10 * BACKOFF) == [] and _posts(upstream) == posts

    page = tenant_a.admin_client.get(
        f"/dialer/campaigns/{campaign.ref}/?upload={upload.pk}"
    ).content.decode()
    assert "Resume sending" in page and "Gave up after 2 automatic retries" in page
    upstream.reset()
    upstream.post(url, status=201, json={"accepted": 5})
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_a.admin_client.post(f"/dialer/uploads/{upload.pk}/resume/")
    assert response.status_code == 302
    upload.refresh_from_db()
    assert (upload.status, upload.contacts_sent, upload.auto_retries) == ("sent", 5, 0)


def test_a_refused_batch_is_not_retried_on_its_own(campaign, upstream, upload_list, sweeper):
    upstream.post(_contacts_url(campaign), status=400, json={"error": "contacts[0] is bad"})
    upload = upload_list(campaign, csv_file(numbers(5)))
    upload.refresh_from_db()
    assert (upload.status, upload.retry_at) == ("failed", None)
    assert sweeper(100 * BACKOFF) == [] and _posts(upstream) == 1


def test_progress_starts_the_count_of_retries_anew(campaign, upstream, upload_list, sweeper):
    url = _contacts_url(campaign)
    upstream.post(url, status=503, json={"error": "down"})
    upload = upload_list(campaign, csv_file(numbers(5)))
    sweeper(BACKOFF + 1)
    assert LeadListUpload.objects.get(pk=upload.pk).auto_retries == 1
    upstream.reset()
    upstream.post(url, status=201, json={"accepted": 5})
    assert uploads.send_batches(upload.pk) is True
    upload.refresh_from_db()
    assert (upload.auto_retries, upload.retry_at, upload.status) == (0, None, "sent")


def test_a_stuck_upload_of_a_campaign_being_removed_is_failed_not_sent(campaign, upstream, sweeper):
    upload = uploads.upload_lead_list(campaign=campaign, file=csv_file(numbers(5)))
    DialerCampaign.objects.filter(pk=campaign.pk).update(pending_action=PendingAction.REMOVING)
    assert sweeper(BACKOFF + 1) == []
    upload.refresh_from_db()
    assert (upload.status, upload.retry_at) == ("failed", None)
    assert _posts(upstream) == 0


def test_an_upload_with_the_dialer_disconnected_fails_for_good(
    tenant_a, campaign, upstream, sweeper
):
    from dialer import services

    upload = uploads.upload_lead_list(campaign=campaign, file=csv_file(numbers(5)))
    services.disconnect(account=tenant_a.account)
    sweeper(BACKOFF + 1)
    upload.refresh_from_db()
    assert (upload.status, upload.retry_at) == ("failed", None)
    assert "not connected" in upload.last_error


def test_the_sweeper_is_on_the_beat_at_the_configured_interval():
    import subprocess
    import sys

    from django.conf import settings

    from dialer.tasks import retry_stuck_uploads

    entry = settings.CELERY_BEAT_SCHEDULE["retry-stuck-dialer-uploads"]
    assert entry == {"task": retry_stuck_uploads.name, "schedule": 300.0}
    configured = subprocess.run(
        [
            sys.executable,
            "-c",
            "import campaignhub.settings as s; "
            "print(s.CELERY_BEAT_SCHEDULE['retry-stuck-dialer-uploads']['schedule'])",
        ],
        env={**os.environ, "DIALER_UPLOAD_SWEEP_SECONDS": "42"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert configured.stdout.strip() == "42.0"


def test_a_quote_never_closed_refuses_the_file_and_nothing_is_kept(campaign, upstream):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaignhub.api import ApiProblem

    content = b'Phone,Name,Email\r\n+14155550711,"Ann ""Annie,ann@x.test\r\n' + b"".join(
        b"+1415555071%d,Bob Stone,bob%d@x.test\r\n" % (n, n) for n in range(2, 6)
    )
    with pytest.raises(ApiProblem) as refused:
        uploads.upload_lead_list(
            campaign=campaign, file=SimpleUploadedFile("leads.csv", content, "text/csv")
        )
    assert refused.value.status == 400
    assert refused.value.message.startswith("Row 2 opens a quote that is never closed")
    assert not campaign.uploads.exists()
    assert not Contact.objects.exists()
    assert not upstream.calls
