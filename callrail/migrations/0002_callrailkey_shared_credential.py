"""CallRailKey becomes the platform's shared Credential: `secret`, `rejected_at`, and the
one-live-key constraint under the shared naming."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("callrail", "0001_initial"),
        ("campaignhub", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="callrailkey", old_name="api_key", new_name="secret"),
        migrations.RenameField(
            model_name="callrailkey", old_name="invalid_at", new_name="rejected_at"
        ),
        migrations.AlterField(
            model_name="callrailkey",
            name="rejected_at",
            field=models.DateTimeField(
                blank=True, help_text="When the upstream last refused it (HTTP 401).", null=True
            ),
        ),
        migrations.AlterField(
            model_name="callrailkey",
            name="account",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, to="campaignhub.account"
            ),
        ),
        migrations.RemoveConstraint(model_name="callrailkey", name="one_live_callrail_key"),
        migrations.AddConstraint(
            model_name="callrailkey",
            constraint=models.UniqueConstraint(
                condition=models.Q(("deleted_at__isnull", True)),
                fields=("account",),
                name="callrail_callrailkey_one_live",
            ),
        ),
        migrations.AlterModelOptions(
            name="callrailkey",
            options={"ordering": ["-created_at", "-id"], "verbose_name": "CallRail key"},
        ),
    ]
