"""Every account that existed before pipelines gets the default "Sales" pipeline (new accounts
get it as they are created, see crm.pipelines.on_account_saved). Safe to run again: an account
with any pipeline is left alone. Reversing changes nothing: the pipelines may hold deals."""

from django.db import migrations

# The default pipeline as it was when this migration was written (crm.pipelines keeps the
# current one; a migration must not follow later changes).
PIPELINE = "Sales"
STAGES = [
    ("New", "open"),
    ("Contacted", "open"),
    ("Qualified", "open"),
    ("Won", "won"),
    ("Lost", "lost"),
]


def add_default_pipelines(apps, schema_editor):
    Account = apps.get_model("campaignhub", "Account")
    Pipeline = apps.get_model("crm", "Pipeline")
    Stage = apps.get_model("crm", "Stage")
    without = Account.objects.exclude(pk__in=Pipeline.objects.values("account_id"))
    for account in list(without.only("pk")):
        pipeline = Pipeline.objects.create(account=account, name=PIPELINE, position=0)
        Stage.objects.bulk_create(
            Stage(pipeline=pipeline, name=name, kind=kind, position=position)
            for position, (name, kind) in enumerate(STAGES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("campaignhub", "0005_user_dialer_extension"),
        ("crm", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_default_pipelines, migrations.RunPython.noop),
    ]
