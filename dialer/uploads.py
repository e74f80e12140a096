"""Lead-list uploads: the file kept on disk, validated row by row, valid rows turned into
contacts, and contacts sent to the dialer in batches of 100 by a task.

Each batch is a row (`UploadBatch`) claimed before it is sent and marked sent after, so a
worker that dies or an upstream failure resumes at the first unsent batch and a contact is
never sent twice. Memory stays bounded: rows stream from the file, contacts are written and
checked in chunks, the error report streams to its own file.

An upload left unsent (its task lost, or a transient failure outlasting the task's own tries)
is picked up by the sweeper (`retry_stuck_uploads`, a beat task) once its `retry_at` has
passed, with a backoff that doubles, and marked failed for good after
`DIALER_UPLOAD_MAX_RETRIES` retries without progress (Resume sending stays).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from campaignhub.api import ApiProblem
from campaignhub.http import ApiError
from campaignhub.integrations import NotConnected
from dialer import client as dialer
from dialer import leadlists
from dialer.models import (
    BatchStatus,
    CampaignState,
    Contact,
    DialerCampaign,
    LeadListUpload,
    UploadBatch,
    UploadStatus,
)
from dialer.services import DIALER, REMOVING, count_sent

logger = logging.getLogger(__name__)

BATCH_SIZE = dialer.MAX_CONTACTS_PER_REQUEST
# Rows checked against the campaign's contacts and written per query.
CHUNK = 1000
# A batch claimed longer ago than this was held by a worker that died: it may be taken again.
CLAIM_LEASE = timedelta(minutes=5)
# Uploads looked at per sweep; the rest wait for the next one.
SWEEP_LIMIT = 500


def retry_backoff(retries: int) -> timedelta:
    """How long an upload waits without progress before the sweeper's next retry: the
    `DIALER_UPLOAD_RETRY_BACKOFF` seconds, doubled for each retry already made."""
    return timedelta(seconds=settings.DIALER_UPLOAD_RETRY_BACKOFF * 2 ** min(retries, 16))


NO_ROWS = "The file has a header row but no rows under it: there is nobody to call."


class UploadRefused(ApiProblem):
    """The file cannot be read as a lead list at all (a 400 naming why); nothing is kept."""

    def __init__(self, message):
        super().__init__(400, message, {"file": [message]})


@transaction.atomic
def upload_lead_list(*, campaign: DialerCampaign, file, user=None, region="US") -> LeadListUpload:
    """Keep `file` (an uploaded CSV or .xlsx) for `campaign`, validate it row by row
    (`dialer.leadlists`), make its valid rows contacts `<campaign_ref>-<n>` and queue
    `bulk_send_batches`.

    Phones already in the campaign are refused like duplicates within the file. Returns the
    upload with `rows_total`, `rows_valid`, `rows_invalid`, `errors` (the first
    `leadlists.ERROR_LIMIT` of `{row, field, message}`), `warnings` (columns no contact field
    took, `LeadListValidation.warnings`) and the full error report file.
    Raises ApiProblem 409 while the campaign is being removed, UploadRefused (400) for a file
    that is no lead list at all or has no row under its header (nothing is kept then).
    """
    campaign = DialerCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.is_removing or campaign.deleted_at:
        raise ApiProblem(409, REMOVING)
    upload = LeadListUpload(
        account=campaign.account,
        campaign=campaign,
        uploaded_by=user,
        original_name=(getattr(file, "name", "") or "leads.csv")[-255:],
    )
    # Stream to disk first: the file is read from there, never held in memory.
    upload.file.save(upload.original_name, file, save=True)
    first_seq = seq = campaign.next_contact_number
    try:
        validation = leadlists.validate_lead_list(
            upload.file.path, region=region, already_in_campaign=_in_campaign(campaign)
        )
        with validation:
            chunk = []
            for lead in validation:
                chunk.append(lead)
                if len(chunk) >= CHUNK:
                    seq = _store_chunk(upload, campaign, chunk, seq)
                    chunk = []
            if chunk:
                seq = _store_chunk(upload, campaign, chunk, seq)
            summary = validation.summary()
            if not summary["rows_total"]:
                raise leadlists.LeadListError(NO_ROWS)
            if validation.errors_total:
                upload.error_report.save("errors.csv", File(validation.error_report), save=False)
    except leadlists.LeadListError as exc:
        upload.file.delete(save=False)
        raise UploadRefused(str(exc)) from exc
    upload.rows_total = summary["rows_total"]
    upload.rows_valid = summary["rows_valid"]
    upload.rows_invalid = summary["rows_invalid"]
    upload.errors = summary["errors"]
    upload.warnings = summary["warnings"]
    batches = [
        UploadBatch(
            upload=upload,
            index=index,
            first_seq=start,
            last_seq=min(start + BATCH_SIZE, seq) - 1,
            size=min(start + BATCH_SIZE, seq) - start,
        )
        for index, start in enumerate(range(first_seq, seq, BATCH_SIZE))
    ]
    upload.batches_total = len(batches)
    if batches:
        # Should the sending task never run, the sweeper starts it after the backoff.
        upload.retry_at = timezone.now() + retry_backoff(0)
    else:
        upload.status = UploadStatus.SENT
        upload.finished_at = timezone.now()
    upload.save()
    UploadBatch.objects.bulk_create(batches, batch_size=CHUNK)
    DialerCampaign.objects.filter(pk=campaign.pk).update(
        next_contact_number=seq, contacts_total=F("contacts_total") + (seq - first_seq)
    )
    if batches:
        from dialer.tasks import bulk_send_batches

        transaction.on_commit(lambda: bulk_send_batches.delay(upload.pk), robust=True)
        if campaign.state == CampaignState.COMPLETED:
            # New leads give a completed campaign something to call: its Start comes back.
            _push_campaign(campaign.pk)
    return upload


class _CampaignPhones:
    """The duplicate check against earlier uploads (`leadlists.PhoneLookup`): one query per
    window of rows, through the (campaign, number) unique index."""

    def __init__(self, campaign):
        self.campaign = campaign

    def among(self, phones):
        return Contact.objects.filter(campaign=self.campaign, number__in=phones).values_list(
            "number", flat=True
        )


def _in_campaign(campaign):
    """The duplicate check against earlier uploads; none to ask about for a new campaign."""
    if not Contact.objects.filter(campaign=campaign).exists():
        return None
    return _CampaignPhones(campaign)


def _store_chunk(upload, campaign, leads, seq) -> int:
    """Write a chunk of valid rows as contacts numbered from `seq`; returns the next seq."""
    contacts = []
    for lead in leads:
        contacts.append(
            Contact(
                account=campaign.account,
                campaign=campaign,
                upload=upload,
                seq=seq,
                ref=f"{campaign.ref}-{seq}",
                row=lead.row,
                number=lead.phone,
                first_name=lead.first_name[:100],
                last_name=lead.last_name[:100],
                email=lead.email[:254],
                data=lead.data,
            )
        )
        seq += 1
    Contact.objects.bulk_create(contacts, batch_size=CHUNK)
    return seq


def _claimable(now):
    return Q(status__in=[BatchStatus.PENDING, BatchStatus.FAILED]) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_LEASE)
    )


def send_batches(upload_id, *, client=None) -> bool:
    """Send the upload's unsent batches in order; True when every batch is sent.

    A batch is claimed (conditional UPDATE with a lease), sent, then marked sent; the first
    failure stops the run, recorded on the batch and the upload, and is raised when transient
    (the task retries it later) — the next run starts at that batch. A 409 on a batch sent
    before means the dialer already has its contacts (the answer to the earlier attempt was
    lost), so it counts as sent rather than being sent again under new refs.
    """
    upload = LeadListUpload.objects.select_related("campaign", "account").get(pk=upload_id)
    campaign = upload.campaign
    if upload.status == UploadStatus.SENT:
        return True
    if client is None:
        try:
            client = DIALER.client_for(upload.account)
        except NotConnected as exc:
            _stopped_for_good(upload, exc.message)
            return False
    for batch in upload.batches.exclude(status=BatchStatus.SENT).order_by("index"):
        now = timezone.now()
        claimed = UploadBatch.objects.filter(_claimable(now), pk=batch.pk).update(
            claimed_at=now, attempts=F("attempts") + 1
        )
        if not claimed:
            # Another worker holds it: that one carries on from here.
            return False
        batch.refresh_from_db()
        contacts = Contact.objects.filter(
            upload=upload, seq__gte=batch.first_seq, seq__lte=batch.last_seq
        ).order_by("seq")
        payload = [dialer.contact_payload(contact) for contact in contacts]
        try:
            client.add_contacts(campaign.ref, payload)
        except ApiError as exc:
            if not (exc.status == 409 and batch.attempts > 1):
                _failed(upload, batch, exc)
                if exc.permanent:
                    return False
                raise
            logger.info("Batch %s was already on the dialer (409 on a resend)", batch)
        _sent(upload, batch)
    LeadListUpload.objects.filter(pk=upload.pk).update(
        status=UploadStatus.SENT,
        finished_at=timezone.now(),
        last_error="",
        retry_at=None,
        auto_retries=0,
    )
    _push(upload.pk)
    return True


def _failed(upload, batch, exc):
    """Record a failed batch. A transient failure keeps the upload sending, due for the
    sweeper after its backoff; a permanent one (a refusal) fails it with nothing scheduled."""
    message = f"Batch {batch.index + 1} of {upload.batches_total}: {exc}"
    UploadBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.FAILED, last_error=str(exc)[:2000], claimed_at=None
    )
    if exc.permanent:
        _stopped_for_good(upload, message)
        return
    LeadListUpload.objects.filter(pk=upload.pk).update(
        last_error=message[:2000],
        status=UploadStatus.SENDING,
        retry_at=timezone.now() + retry_backoff(upload.auto_retries),
    )
    _push(upload.pk)


def _stopped_for_good(upload, message):
    LeadListUpload.objects.filter(pk=upload.pk).exclude(status=UploadStatus.SENT).update(
        last_error=message[:2000], status=UploadStatus.FAILED, retry_at=None
    )
    _push(upload.pk)


def give_up(upload_id) -> None:
    """An upload whose sending stopped after the task's last try is marked failed (its reason
    kept), so the page offers Resume; one already sent stays sent. Its `retry_at` stays, so
    the sweeper still retries it after the backoff."""
    changed = LeadListUpload.objects.filter(pk=upload_id, status=UploadStatus.SENDING).update(
        status=UploadStatus.FAILED
    )
    if changed:
        _push(upload_id)


def retry_stuck_uploads(*, now=None) -> list[int]:
    """The sweeper: start sending again every upload still sending, or failed after a
    transient failure, whose `retry_at` has passed (no progress since). Returns their ids.

    Each is claimed with a conditional UPDATE on the `retry_at` it was found with, which moves
    `retry_at` on by the doubled backoff; so a second sweep at the same moment, or a second run,
    retries nothing twice (and batches are claimed anyway, so no contact is sent twice). After
    `DIALER_UPLOAD_MAX_RETRIES` retries without progress, or when its campaign is being
    removed, the upload is failed for good: status failed, nothing scheduled, Resume remains.
    """
    from dialer.tasks import bulk_send_batches

    now = now or timezone.now()
    due = (
        LeadListUpload.objects.filter(
            status__in=[UploadStatus.SENDING, UploadStatus.FAILED], retry_at__lte=now
        )
        .select_related("campaign")
        .order_by("retry_at", "pk")[:SWEEP_LIMIT]
    )
    retried = []
    for upload in due:
        mine = LeadListUpload.objects.filter(pk=upload.pk, retry_at=upload.retry_at)
        if upload.campaign.is_removing or upload.campaign.deleted_at:
            if mine.update(status=UploadStatus.FAILED, retry_at=None):
                _push(upload.pk)
            continue
        if upload.auto_retries >= settings.DIALER_UPLOAD_MAX_RETRIES:
            reason = upload.last_error or "Sending made no progress."
            message = (
                f"{reason} Gave up after {upload.auto_retries} automatic "
                f"retr{'y' if upload.auto_retries == 1 else 'ies'}; resume when the dialer "
                "is back."
            )
            if mine.update(status=UploadStatus.FAILED, retry_at=None, last_error=message[:2000]):
                logger.warning("Dialer upload %s: %s", upload.pk, message)
                _push(upload.pk)
            continue
        claimed = mine.update(
            status=UploadStatus.SENDING,
            auto_retries=F("auto_retries") + 1,
            retry_at=now + retry_backoff(upload.auto_retries + 1),
        )
        if claimed:
            logger.info("Dialer upload %s: automatic retry %s", upload.pk, upload.auto_retries + 1)
            transaction.on_commit(
                lambda upload_id=upload.pk: bulk_send_batches.delay(upload_id), robust=True
            )
            _push(upload.pk)
            retried.append(upload.pk)
    return retried


def _sent(upload, batch):
    with transaction.atomic():
        marked = (
            UploadBatch.objects.filter(pk=batch.pk)
            .exclude(status=BatchStatus.SENT)
            .update(status=BatchStatus.SENT, sent_at=timezone.now(), claimed_at=None, last_error="")
        )
        if marked:
            # Progress: the sweeper waits a fresh backoff from here, counting anew.
            LeadListUpload.objects.filter(pk=upload.pk).update(
                batches_sent=F("batches_sent") + 1,
                contacts_sent=F("contacts_sent") + batch.size,
                status=UploadStatus.SENDING,
                auto_retries=0,
                retry_at=timezone.now() + retry_backoff(0),
            )
            count_sent(upload.campaign_id, batch.size)
    _push(upload.pk)


def resume(*, upload: LeadListUpload) -> LeadListUpload:
    """Queue sending again from the first unsent batch (after a permanent failure was fixed,
    e.g. the dialer reconnected). Raises ApiProblem 409 while the campaign is being removed."""
    if upload.campaign.is_removing or upload.campaign.deleted_at:
        raise ApiProblem(409, REMOVING)
    if upload.status != UploadStatus.SENT:
        # The sweeper's automatic retries start again from here.
        LeadListUpload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.SENDING,
            auto_retries=0,
            retry_at=timezone.now() + retry_backoff(0),
        )
        from dialer.tasks import bulk_send_batches

        transaction.on_commit(lambda: bulk_send_batches.delay(upload.pk), robust=True)
    upload.refresh_from_db()
    return upload


def _push(upload_id):
    from dialer import live_updates

    transaction.on_commit(lambda: live_updates.upload_changed(upload_id), robust=True)


def _push_campaign(campaign_id):
    from dialer import live_updates

    transaction.on_commit(lambda: live_updates.campaign_changed(campaign_id), robust=True)
