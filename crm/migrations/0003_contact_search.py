"""Substring search on contacts at any account size, on PostgreSQL: trigram indexes (pg_trgm)
matching the SQL of the contact list's search (`crm.contacts.contact_list`): name, company and
email as `UPPER(col::text) LIKE UPPER(%s)` (`__icontains`), the phone's digits as
`phone::text LIKE %s` (`__contains`). An exact phone or email uses the btree indexes of
0001. SQLite scans the account's contacts for a substring (fine at development sizes)."""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS contact_name_trigram ON crm_contact "
    "USING gin ((UPPER(name::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS contact_company_trigram ON crm_contact "
    "USING gin ((UPPER(company::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS contact_email_trigram ON crm_contact "
    "USING gin ((UPPER(email::text)) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS contact_phone_trigram ON crm_contact "
    "USING gin ((phone::text) gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = [
    f"DROP INDEX IF EXISTS contact_{column}_trigram"
    for column in ("name", "company", "email", "phone")
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0002_default_pipelines"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL_FORWARD}), _run({"postgresql": POSTGRESQL_BACKWARD})
        ),
    ]
