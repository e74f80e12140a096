"""Indexes and tallies that keep campaign lists fast at any size: the tracking-number list (an
index in name order, and a count in the tallies), a member's representative rows, and a
substring index on campaign names (pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite, kept
in step by triggers).

SQLite drops a table's triggers when Django rebuilds the table (an AlterField on Campaign): a
later migration that does so must run `name_search_sqlite()` again. The search tests fail if
the triggers are missing.
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import Coalesce

SEARCH_TABLE = "campaigns_campaign_name_search"

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Matches the SQL of `campaign_name__icontains`: UPPER(campaign_name::text) LIKE UPPER(%s).
    "CREATE INDEX campaign_name_trigram ON campaigns_campaign "
    "USING gin ((UPPER(campaign_name::text)) gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS campaign_name_trigram"]


def name_search_sqlite():
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
        "campaign_name, content='campaigns_campaign', content_rowid='id', tokenize='trigram')",
        f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')",
        f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_insert AFTER INSERT ON campaigns_campaign "
        f"BEGIN INSERT INTO {SEARCH_TABLE}(rowid, campaign_name) "
        "VALUES (new.id, new.campaign_name); END",
        f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_delete AFTER DELETE ON campaigns_campaign "
        f"BEGIN INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, campaign_name) "
        "VALUES ('delete', old.id, old.campaign_name); END",
        f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_update "
        "AFTER UPDATE OF campaign_name ON campaigns_campaign "
        f"BEGIN INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, campaign_name) "
        "VALUES ('delete', old.id, old.campaign_name); "
        f"INSERT INTO {SEARCH_TABLE}(rowid, campaign_name) VALUES (new.id, new.campaign_name); END",
    ]


SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_update",
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
]


def count_numbered(apps, schema_editor):
    """Fill the new `numbered` tally of existing accounts from their campaigns."""
    Campaign = apps.get_model("campaigns", "Campaign")
    CampaignTally = apps.get_model("campaigns", "CampaignTally")
    numbered = (
        Campaign.objects.filter(
            account=models.OuterRef("account"),
            integration=models.OuterRef("integration"),
            status=models.OuterRef("status"),
            is_deleted=False,
        )
        .exclude(tracking_number="")
        .order_by()
        .values("account")
        .annotate(n=models.Count("id"))
        .values("n")
    )
    CampaignTally.objects.update(numbered=Coalesce(models.Subquery(numbered), 0))


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="campaigntally",
            name="numbered",
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(count_numbered, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="campaign",
            index=models.Index(
                condition=models.Q(
                    ("is_deleted", False), models.Q(("tracking_number", ""), _negated=True)
                ),
                fields=["account", "campaign_name"],
                name="campaign_number_by_name",
            ),
        ),
        migrations.AddIndex(
            model_name="representative",
            index=models.Index(fields=["user", "campaign"], name="representative_user"),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD, "sqlite": name_search_sqlite()}),
            _run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
