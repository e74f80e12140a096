from django.db import migrations, models


def mark_adopted(apps, schema_editor):
    """Campaigns kept before adoption was recorded: ours have `ch-` references, so any other
    was adopted; its contacts not uploaded here were added on the dialer."""
    DialerCampaign = apps.get_model("dialer", "DialerCampaign")
    for campaign in DialerCampaign.objects.exclude(ref__startswith="ch-").iterator():
        uploaded = campaign.contacts.count()
        campaign.adopted_at = campaign.created_at
        campaign.contacts_added_on_dialer = max(0, campaign.contacts_total - uploaded)
        campaign.save(update_fields=["adopted_at", "contacts_added_on_dialer"])


class Migration(migrations.Migration):
    dependencies = [
        ("dialer", "0004_call_taken_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="dialercampaign",
            name="adopted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="dialercampaign",
            name="contacts_added_on_dialer",
            field=models.PositiveIntegerField(
                default=0,
                help_text=(
                    "Contacts the dialer held when the campaign was adopted (added there, not "
                    "here)."
                ),
            ),
        ),
        migrations.RunPython(mark_adopted, migrations.RunPython.noop),
    ]
