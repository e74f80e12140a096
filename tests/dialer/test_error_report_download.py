"""An upload's error report downloads in chunks, under WSGI and ASGI alike."""

import pytest
from asgiref.sync import sync_to_async
from django.core.files.base import ContentFile
from django.test import AsyncClient

from campaignhub.csv_export import FILE_CHUNK_BYTES
from dialer.models import LeadListUpload
from tests.dialer.conftest import make_campaign
from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db(transaction=True)

# A report several chunks long: a refused row per line.
REPORT = b"row,field,message\r\n" + b"".join(
    b"%d,phone,'not-a-number' is not a valid phone number\r\n" % n for n in range(4000)
)


def _upload_with_report(tenant):
    campaign = make_campaign(tenant)
    upload = LeadListUpload.objects.create(
        account=tenant.account, campaign=campaign, original_name="leads.csv", status="sent"
    )
    upload.error_report.save("errors.csv", ContentFile(REPORT))
    return upload, f"/dialer/uploads/{upload.pk}/errors.csv"


def test_under_wsgi_the_report_streams_as_written(tenant_a):
    upload, url = _upload_with_report(tenant_a)

    response = tenant_a.admin_client.get(url)

    assert response.status_code == 200 and response.streaming
    chunks = list(response.streaming_content)
    assert b"".join(chunks) == REPORT
    assert len(chunks) == -(-len(REPORT) // FILE_CHUNK_BYTES) > 1
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = f"{upload.campaign.ref}-upload-{upload.pk}-errors.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


async def test_under_asgi_the_report_streams_asynchronously(tenant_a):
    """Django collects a synchronous iterator whole before sending it over ASGI; the report
    is handed over one chunk at a time instead."""
    _, url = await sync_to_async(_upload_with_report)(tenant_a)
    client = AsyncClient()
    client.cookies = (await sync_to_async(logged_in_client)(tenant_a.admin)).cookies

    response = await client.get(url)

    assert response.status_code == 200 and response.is_async
    chunks = [chunk async for chunk in response.streaming_content]
    assert b"".join(chunks) == REPORT
    assert len(chunks) > 1
