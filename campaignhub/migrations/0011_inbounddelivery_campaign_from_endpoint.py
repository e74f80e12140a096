"""Deliveries stored before their campaign was recorded with them: those posted to a campaign's
own endpoint (the lead webhook, a held form submission) name it in `target_id`."""

from django.db import migrations
from django.db.models import BigIntegerField
from django.db.models.functions import Cast

# campaigns.webhooks.SOURCE and campaigns.held_forms.SOURCE, as stored.
CAMPAIGN_ENDPOINT_SOURCES = ["leads", "lead_form"]


def record_campaigns(apps, schema_editor):
    InboundDelivery = apps.get_model("campaignhub", "InboundDelivery")
    InboundDelivery.objects.filter(
        source__in=CAMPAIGN_ENDPOINT_SOURCES,
        campaign_id__isnull=True,
        target_id__regex=r"^[0-9]{1,18}$",
    ).update(campaign_id=Cast("target_id", BigIntegerField()))


class Migration(migrations.Migration):
    dependencies = [
        ("campaignhub", "0010_inbounddelivery_lead_id"),
    ]

    operations = [migrations.RunPython(record_campaigns, migrations.RunPython.noop)]
