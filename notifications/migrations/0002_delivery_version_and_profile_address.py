from django.db import migrations, models
from django.db.models import F


def mark_profile_addresses(apps, schema_editor):
    """Rows whose address equals their user's profile address were addressed from the profile."""
    Delivery = apps.get_model("notifications", "Delivery")
    with_user = Delivery.objects.filter(user__isnull=False)
    with_user.filter(channel="sms", recipient=F("user__phone")).update(recipient_from_profile=True)
    with_user.filter(channel__in=["email", "push"], recipient=F("user__email")).update(
        recipient_from_profile=True
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="recipient_from_profile",
            field=models.BooleanField(
                default=False,
                help_text="The address is the user's profile email or phone, so a retry reads it again.",
            ),
        ),
        migrations.AddField(
            model_name="delivery",
            name="version",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Goes up by one with every change, so pages never show an older state.",
            ),
        ),
        migrations.RunPython(mark_profile_addresses, migrations.RunPython.noop),
    ]
