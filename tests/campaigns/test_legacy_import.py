"""Moving in from the old campaign service: the sample export in docs/samples imports, again and
again, with our rules, and every document it cannot take is reported with its reason."""

import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from campaignhub.models import Role
from campaigns import services, sources
from campaigns.legacy import LegacyExportError, import_legacy_campaigns
from campaigns.models import Campaign, CampaignTally, Integration
from notifications.models import Delivery
from notifications.transports import push
from tests.campaigns.factories import make_campaign
from tests.factories import make_account, make_member

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples"
CAMPAIGNS = SAMPLES / "legacy_campaigns.json"
CAMPAIGNS_ARRAY = SAMPLES / "legacy_campaigns_array.json"
USERS = SAMPLES / "legacy_users.json"

# The old account the sample moves (its stray line 15 is of another).
OLD_ACCOUNT = "5f0c1a2b3c4d5e6f7a8b9c0d"
ROOF = "65b0c0ffee0000000000c001"
GUTTER = "65b0c0ffee0000000000c002"
CHAT = "65b0c0ffee0000000000c003"
SOLAR = "65b0c0ffee0000000000c004"
DIALER = "65b0c0ffee0000000000c005"
OLD_ROOF = "65b0c0ffee0000000000c006"
IMPORTED = [ROOF, GUTTER, CHAT, SOLAR, DIALER, OLD_ROOF]

# What the sample's bad documents are rejected for, by where they are in the export.
REJECTIONS = {
    "line 7": "tracking_number: Tracking number already added! +14155550100 is used by the live "
    'campaign "Roof Repair Calls" (#',
    "line 8": "campaign_name: This field is required.",
    "line 9": "tracking_number: Enter a valid phone number",
    "line 10": "integration: unknown integration 'facebook'",
    "line 11": "selected_user[0]: user 64a0c0ffee0000000000a099 is not in the users export.",
    "line 12": "selected_user[0]: user 64a0c0ffee0000000000a003 (gale@old-agency.example) is not "
    "a member of this account.",
    "line 13": "not valid JSON at column 102: Expecting property name enclosed in double quotes.",
    "line 14": "page_url: Enter a full http(s) URL",
    "line 15": "account_id: the document belongs to the old account 5f0c1a2b3c4d5e6f7a8b9c99, "
    "not 5f0c1a2b3c4d5e6f7a8b9c0d",
}


@pytest.fixture(autouse=True)
def _invoca_available(monkeypatch):
    # The sample covers every integration: Invoca as a plain lead source here; its link to an
    # advertiser campaign has a test of its own.
    monkeypatch.setattr(sources, "AVAILABLE", sources.AVAILABLE | {Integration.INVOCA})
    monkeypatch.setattr(sources, "LINKS", {})


def _advertiser_link(saved):
    """A lead-source link like Invoca's: `adv-…` ids only, kept in `saved` by campaign id."""

    def clean(account, value, campaign, viewer=None):
        if not value.startswith("adv-"):
            raise ValidationError("Not an advertiser campaign of this account.")
        return value

    def save(campaign, value):
        saved[campaign.pk] = value

    return sources.SourceLink(
        integration=Integration.INVOCA,
        key="invoca_campaign_id",
        clean=clean,
        save=save,
        current=lambda campaign: saved.get(campaign.pk, ""),
        required="Choose the Invoca advertiser campaign.",
        label="Advertiser campaign",
        choices=lambda account, campaign: [],
    )


@pytest.fixture
def demo(db):
    """The account the sample's people belong to: admin@demo.test and rep@demo.test."""
    account = make_account("Demo Agency", "admin@demo.test")
    account.admin = account.memberships.get().user
    account.rep = make_member(account, "rep@demo.test", Role.MEMBER, name="Riley Rep")
    return account


def run(account, campaigns=CAMPAIGNS, users=USERS, **options):
    with open(campaigns, encoding="utf-8") as lines, open(users, encoding="utf-8") as people:
        return import_legacy_campaigns(account=account, campaigns=lines, users=people, **options)


def command(*args):
    """The command's output; the refusals it ends with (the sample has some) are not raised."""
    out = io.StringIO()
    try:
        call_command("import_legacy_campaigns", *map(str, args), stdout=out)
    except CommandError as exc:
        if "refused, listed above" not in str(exc):
            raise
    return out.getvalue()


def imported(account, legacy_id):
    return Campaign.objects.for_account(account).get(legacy_id=legacy_id)


def edited_export(tmp_path, legacy_id, **changes):
    """The sample export with one document's fields changed, as a new file."""
    lines = CAMPAIGNS.read_text().splitlines()
    for index, line in enumerate(lines):
        if legacy_id in line.split(",", 1)[0]:
            document = json.loads(line)
            document.update(changes)
            lines[index] = json.dumps(document)
    path = tmp_path / "edited.json"
    path.write_text("\n".join(lines) + "\n")
    return path


def demo_tenant(account):
    """The shape `make_campaign` takes."""
    return SimpleNamespace(account=account, admin=account.admin)


def tallies(account):
    return sorted(
        CampaignTally.objects.for_account(account)
        .filter(count__gt=0)
        .values_list("integration", "status", "count", "numbered")
    )


class TestSampleExport:
    def test_every_good_document_becomes_a_campaign_and_every_bad_one_is_reported(self, demo):
        result = run(demo)

        assert [outcome.legacy_id for outcome in result.created] == IMPORTED
        assert result.updated == result.unchanged == []
        assert {outcome.where: outcome.reason for outcome in result.rejected}.keys() == (
            REJECTIONS.keys()
        )
        for outcome in result.rejected:
            assert REJECTIONS[outcome.where] in outcome.reason, outcome
            assert outcome.campaign_id is None
        assert result.summary() == "Created 6, updated 0, unchanged 0, rejected 9."
        assert result.legacy_account == "5f0c1a2b3c4d5e6f7a8b9c0d"
        assert Campaign.objects.for_account(demo).count() == 6

    def test_a_callrail_campaign_arrives_field_by_field(self, demo):
        run(demo)

        roof = imported(demo, ROOF)
        assert roof.campaign_name == "Roof Repair Calls"
        assert roof.integration == Integration.CALLRAIL
        assert roof.owner == demo.admin
        assert roof.page_id == ""
        assert roof.page_url == "https://example.com/roof-repair"
        assert roof.tracking_number == "+14155550100"
        assert [(row.user, row.custom_number, row.position) for row in roof.assignments.all()] == [
            (demo.rep, "+14155550111", 0),
            (demo.admin, "", 1),
        ]
        assert roof.notification_type == "send_email_sms"
        assert roof.email_details == {
            "subject": "New roof lead: {{lead_name}}",
            "message": (
                "Hi {{representative_name}}, {{lead_name}} ({{lead_phone}}) called about a roof "
                "repair."
            ),
            "from": "leads@example.com",
            "reply_to": {"email": "office@example.com", "name": "Roof Office"},
            "attachments": [
                {"name": "price-list.pdf", "url": "https://example.com/files/price-list.pdf"}
            ],
        }
        assert roof.sms_details == {
            "message": "Roof lead {{lead_name}} {{lead_phone}}",
            "from": "+14155550199",
        }
        assert roof.add_to_crm is True
        assert roof.add_person_or_business == "person"
        assert roof.create_deal is False
        assert (roof.pipeline_id, roof.stage_id) == ("", "")
        assert roof.deal_value == Decimal("250.00")
        assert roof.currency == "USD"
        assert roof.status is True
        assert roof.is_deleted is False
        assert roof.created_at == datetime(2023, 3, 14, 15, 9, 26, 535000, tzinfo=UTC)
        assert roof.legacy_id == ROOF

    def test_a_form_campaign_keeps_its_settings_and_deals_wait_for_a_pipeline(self, demo):
        result = run(demo)

        gutter = imported(demo, GUTTER)
        assert gutter.integration == Integration.FORM
        assert gutter.form_secret_id is not None
        assert gutter.owner == demo.rep
        # `$numberLong` page id, every trailing slash gone, query and fragment kept.
        assert gutter.page_id == "104857600123456"
        assert gutter.page_url == "https://example.com/gutters/?utm_source=spring#quote"
        assert gutter.status is False
        assert gutter.add_person_or_business == "business"
        assert (gutter.deal_value, gutter.currency) == (Decimal("500.00"), "EUR")
        assert gutter.created_at == datetime(2023, 3, 14, 13, 20, tzinfo=UTC)
        # The old CRM's pipeline does not move in: deals stay off, and the result says why.
        assert (gutter.create_deal, gutter.pipeline_id, gutter.stage_id) == (False, "", "")
        (outcome,) = [o for o in result.outcomes if o.legacy_id == GUTTER]
        # The old service's InstaSites campaigns were lead forms: the result says so.
        assert outcome.notes == [
            "imported as a lead form campaign: the old service's 'instasites' campaigns were "
            "lead forms it made from its InstaSites template.",
            "deals are off: pipeline 65b0c0ffee00000000000d01 of the old CRM does not exist "
            "here; choose a pipeline and a stage on the campaign to create deals.",
        ]

    def test_each_integration_and_custom_numbers_in_e164(self, demo):
        run(demo)

        chat, solar, dialer = (imported(demo, oid) for oid in (CHAT, SOLAR, DIALER))
        assert (chat.integration, chat.webhook_token is not None) == ("webhook", True)
        assert chat.add_to_crm is False
        assert chat.sms_details["from"] == "+14155550198"
        assert chat.assignments.get().custom_number == "+14155550123"
        assert (solar.integration, solar.tracking_number) == ("invoca", "+14155550102")
        assert solar.deal_value == Decimal("1250.50")
        assert dialer.integration == "dialer"
        # A representative id given as plain hex instead of `$oid` is the same person.
        assert dialer.assignments.get().user == demo.admin
        assert dialer.assignments.get().custom_number == "+12125550147"

    def test_users_are_matched_by_email_whatever_its_case(self, demo):
        run(demo)

        # The users export spells the rep `Rep@Demo.test`.
        assert imported(demo, CHAT).assignments.get().user == demo.rep

    def test_a_deleted_document_arrives_deleted_and_counts_nowhere(self, demo):
        run(demo)

        old = imported(demo, OLD_ROOF)
        assert old.is_deleted is True
        assert old.status is False
        # Deleted campaigns do not hold their number: the live one has the same.
        assert old.tracking_number == imported(demo, ROOF).tracking_number == "+14155550100"
        assert old.created_at == datetime(2022, 2, 1, 10, tzinfo=UTC)
        assert tallies(demo) == [
            ("callrail", True, 1, 1),
            ("dialer", True, 1, 0),
            ("form", False, 1, 0),
            ("invoca", True, 1, 1),
            ("webhook", True, 1, 0),
        ]

    def test_tallies_match_a_recount(self, demo):
        run(demo)
        counted = tallies(demo)

        services.recount_tallies(demo)

        assert tallies(demo) == counted

    def test_an_import_sends_no_alert(self, demo, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            run(demo)

        assert Delivery.objects.count() == 0
        assert push.outbox == []


class TestRerun:
    def test_running_again_changes_nothing_and_duplicates_nothing(self, demo):
        run(demo)
        stamps = dict(Campaign.objects.values_list("legacy_id", "updated_at"))

        result = run(demo)

        assert result.created == result.updated == []
        assert [outcome.legacy_id for outcome in result.unchanged] == IMPORTED
        assert [outcome.where for outcome in result.rejected] == list(REJECTIONS)
        assert result.summary() == "Created 0, updated 0, unchanged 6, rejected 9."
        assert Campaign.objects.count() == 6
        assert dict(Campaign.objects.values_list("legacy_id", "updated_at")) == stamps

    def test_an_edited_document_updates_its_campaign(self, demo, tmp_path):
        run(demo)
        roof = imported(demo, ROOF)
        edited = edited_export(
            tmp_path,
            ROOF,
            campaign_name="Roof Repair Calls (West)",
            status=False,
            selected_user=[
                {"id": {"$oid": "64a0c0ffee0000000000a002"}, "custom_number": "(415) 555-0144"}
            ],
        )

        result = run(demo, campaigns=edited)

        (outcome,) = result.updated
        assert outcome.campaign_id == roof.pk
        assert outcome.changes == {
            "campaign_name": ("Roof Repair Calls", "Roof Repair Calls (West)"),
            "selected_user": (
                ["rep@demo.test +14155550111", "admin@demo.test"],
                ["rep@demo.test +14155550144"],
            ),
            "status": (True, False),
        }
        assert len(result.unchanged) == 5
        roof.refresh_from_db()
        assert (roof.campaign_name, roof.status) == ("Roof Repair Calls (West)", False)
        assert Campaign.objects.for_account(demo).filter(legacy_id=ROOF).count() == 1
        assert ("callrail", False, 1, 1) in tallies(demo)
        # Pausing through an import is the old service's history, not news for the owner.
        assert Delivery.objects.count() == 0

    def test_deleting_a_document_in_the_old_service_deletes_the_campaign(self, demo, tmp_path):
        run(demo)

        result = run(demo, campaigns=edited_export(tmp_path, SOLAR, is_deleted=True))

        assert [outcome.legacy_id for outcome in result.updated] == [SOLAR]
        assert imported(demo, SOLAR).is_deleted is True
        assert not any(row[0] == "invoca" for row in tallies(demo))

    def test_the_array_form_of_the_export_is_the_same_documents(self, demo):
        result = run(demo, campaigns=CAMPAIGNS_ARRAY)
        assert [(o.where, o.legacy_id) for o in result.created] == [
            ("item 1", DIALER),
            ("item 2", OLD_ROOF),
        ]

        again = run(demo)

        assert [outcome.legacy_id for outcome in again.unchanged] == [DIALER, OLD_ROOF]
        assert [outcome.legacy_id for outcome in again.created] == [ROOF, GUTTER, CHAT, SOLAR]


class TestOurRules:
    def test_a_number_already_live_here_rejects_the_document(self, demo):
        existing = make_campaign(
            demo_tenant(demo), integration="callrail", tracking_number="415 555 0102"
        )

        result = run(demo)

        (outcome,) = [o for o in result.rejected if o.legacy_id == SOLAR]
        assert outcome.reason == (
            "tracking_number: Tracking number already added! +14155550102 is used by the live "
            f'campaign "{existing.campaign_name}" (#{existing.pk}).'
        )
        assert not Campaign.objects.filter(legacy_id=SOLAR).exists()

    def test_a_form_name_in_use_gets_the_copy_suffix_and_keeps_it_on_a_rerun(self, demo):
        make_campaign(demo_tenant(demo), campaign_name="Spring Gutter Quote Form")

        run(demo)
        again = run(demo)

        assert imported(demo, GUTTER).campaign_name == "Spring Gutter Quote Form (Copy)"
        assert GUTTER in [outcome.legacy_id for outcome in again.unchanged]

    def test_a_lead_source_link_comes_from_the_document_or_the_document_is_refused(
        self, demo, monkeypatch, tmp_path
    ):
        saved = {}
        monkeypatch.setattr(sources, "LINKS", {Integration.INVOCA: _advertiser_link(saved)})

        result = run(demo)
        (refused,) = [o for o in result.rejected if o.legacy_id == SOLAR]
        linked = run(demo, campaigns=edited_export(tmp_path, SOLAR, invoca_campaign_id="adv-7"))

        assert refused.reason == "invoca_campaign_id: Choose the Invoca advertiser campaign."
        (outcome,) = linked.created
        assert outcome.legacy_id == SOLAR
        assert outcome.changes["invoca_campaign_id"] == (None, "adv-7")
        assert saved == {imported(demo, SOLAR).pk: "adv-7"}
        again = run(demo, campaigns=tmp_path / "edited.json")
        assert SOLAR in [o.legacy_id for o in again.unchanged]

    def test_an_unavailable_lead_source_is_refused(self, demo, monkeypatch):
        monkeypatch.setattr(sources, "AVAILABLE", sources.AVAILABLE - {Integration.INVOCA})

        result = run(demo)

        (outcome,) = [o for o in result.rejected if o.legacy_id == SOLAR]
        assert outcome.reason.startswith("integration: Invoca is not available as a lead source")


class TestTenancy:
    def test_people_of_another_account_are_never_matched(self, demo):
        other = make_account("Other Agency", "boss@other.test")
        make_member(other, "gale@old-agency.example", Role.MEMBER)

        result = run(demo)

        (outcome,) = [o for o in result.rejected if o.where == "line 12"]
        assert "is not a member of this account" in outcome.reason
        assert not Campaign.objects.for_account(other).exists()

    def test_importing_into_an_account_without_those_people_rejects_their_campaigns(self, demo):
        other = make_account("Other Agency", "boss@other.test")

        result = run(other)

        assert result.created == []
        assert all("is not a member of this account" in o.reason for o in result.rejected[:6])
        assert not Campaign.objects.exists()

    def test_the_same_legacy_ids_in_two_accounts_are_two_campaigns(self, demo):
        other = make_account("Other Agency", "boss@other.test")
        make_member(other, "admin@demo.test", Role.ADMIN)
        make_member(other, "rep@demo.test", Role.MEMBER)

        run(demo)
        result = run(other, legacy_account=OLD_ACCOUNT, allow_moved_elsewhere=True)

        assert len(result.created) == 6
        assert imported(other, ROOF).pk != imported(demo, ROOF).pk
        assert imported(other, ROOF).assignments.count() == 2

    def test_a_legacy_account_given_rejects_the_documents_of_any_other(self, demo):
        result = run(demo, legacy_account="5f0c1a2b3c4d5e6f7a8b9c99")

        assert [o.where for o in result.created] == ["line 15"]


class TestBadInput:
    def test_a_document_that_is_not_an_object_or_lacks_an_id_is_rejected(self, demo, tmp_path):
        path = tmp_path / "odd.json"
        path.write_text(
            '[1, {"campaign_name": "No id", "integration": "form"},'
            ' {"_id": {"$oid": "65b0c0ffee0000000000c0aa"}, "campaign_name": "Nul\\u0000",'
            f' "integration": "form", "account_id": "{OLD_ACCOUNT}"}},'
            ' {"_id": {"$oid": "65b0c0ffee0000000000c0ab"}, "campaign_name": ["a list"],'
            f' "integration": "form", "account_id": "{OLD_ACCOUNT}"}}]'
        )

        result = run(demo, campaigns=path)

        assert [(o.where, o.reason) for o in result.rejected] == [
            ("item 1", "not a JSON object."),
            ("item 2", "_id: missing or not an ObjectId."),
            (
                "item 3",
                "contains text that cannot be stored: bytes that are not UTF-8, a NUL byte or "
                "a lone surrogate.",
            ),
            ("item 4", "campaign_name: expected text, got a list."),
        ]

    def test_an_unknown_integration_names_our_lead_sources_only(self, demo):
        (outcome,) = [o for o in run(demo).rejected if o.where == "line 10"]

        assert outcome.reason == (
            "integration: unknown integration 'facebook' (known: callrail, invoca, dialer, "
            "form, webhook)."
        )

    def test_instareport_arrives_as_a_form_campaign_with_a_note(self, demo, tmp_path):
        path = edited_export(tmp_path, GUTTER, integration="InstaReport", create_deal=False)

        result = run(demo, campaigns=path)

        assert imported(demo, GUTTER).integration == Integration.FORM
        (outcome,) = [o for o in result.outcomes if o.legacy_id == GUTTER]
        assert outcome.notes == [
            "imported as a lead form campaign: the old service's 'instareport' campaigns were "
            "lead forms it made from its InstaReport template."
        ]

    @pytest.mark.parametrize("content", ["", "\n  \n", "[]", "[ ]\n"])
    def test_an_export_without_documents_is_an_error(self, demo, tmp_path, content):
        path = tmp_path / "empty.json"
        path.write_text(content)

        with pytest.raises(LegacyExportError) as raised:
            run(demo, campaigns=path)

        assert str(raised.value).startswith("The export holds no campaign documents")
        assert Campaign.objects.count() == 0

    def test_the_same_id_twice_in_one_export_is_rejected_the_second_time(self, demo, tmp_path):
        line = CAMPAIGNS.read_text().splitlines()[4]
        path = tmp_path / "twice.json"
        path.write_text(f"{line}\n\n{line}\n")

        result = run(demo, campaigns=path)

        assert [o.where for o in result.created] == ["line 1"]
        assert [(o.where, o.reason) for o in result.rejected] == [
            ("line 3", "_id: the same document appears earlier (line 1).")
        ]

    def test_a_document_that_fails_to_save_does_not_stop_the_others(self, demo, monkeypatch):
        save = services.import_campaign

        def failing_for_chat(**kwargs):
            if kwargs["legacy_id"] == CHAT:
                raise RuntimeError("disk full")
            return save(**kwargs)

        monkeypatch.setattr(services, "import_campaign", failing_for_chat)

        result = run(demo)

        assert [o.legacy_id for o in result.created] == [x for x in IMPORTED if x != CHAT]
        (failed,) = [o for o in result.rejected if o.legacy_id == CHAT]
        assert (failed.where, failed.reason) == ("line 3", "could not be saved: disk full")
        assert not Campaign.objects.filter(legacy_id=CHAT).exists()

    def test_a_key_twice_a_number_for_a_name_and_an_unreadable_date_are_rejected(
        self, demo, tmp_path
    ):
        oid = f'{{"$oid": "65b0c0ffee0000000000c0b%d"}}, "account_id": "{OLD_ACCOUNT}"'
        path = tmp_path / "loose.json"
        path.write_text(
            f'{{"_id": {oid % 1}, "campaign_name": "A", "campaign_name": "B",'
            ' "integration": "form"}\n'
            f'{{"_id": {oid % 2}, "campaign_name": 12345, "integration": "form"}}\n'
            f'{{"_id": {oid % 3}, "campaign_name": "C", "integration": "form",'
            ' "created_at": {"$date": "last spring"}}\n'
            f'{{"_id": {oid % 4}, "campaign_name": "D", "integration": "form",'
            ' "created_at": {"$date": "2099-01-01T00:00:00Z"}}\n'
        )

        result = run(demo, campaigns=path)

        assert [(o.where, o.legacy_id, o.reason[:40]) for o in result.rejected] == [
            ("line 1", "65b0c0ffee0000000000c0b1", 'the key "campaign_name" appears twice.'),
            ("line 2", "65b0c0ffee0000000000c0b2", "campaign_name: expected text, got int."),
            ("line 3", "65b0c0ffee0000000000c0b3", "not valid Extended JSON: time data 'last"),
            ("line 4", "65b0c0ffee0000000000c0b4", "created_at: 2099-01-01T00:00:00+00:00 is"),
        ]
        assert not Campaign.objects.exists()

    def test_a_key_twice_in_an_array_export_is_named(self, demo, tmp_path):
        path = tmp_path / "twice.json"
        path.write_text('[{"_id": {"$oid": "65b0c0ffee0000000000c0aa"}, "status": 1, "status": 2}]')

        with pytest.raises(LegacyExportError, match='the key "status" appears twice'):
            run(demo, campaigns=path)

    def test_a_pipeline_id_that_is_no_object_id_is_quoted_in_the_note(self, demo, tmp_path):
        path = edited_export(tmp_path, GUTTER, pipeline_id="1", integration="form")

        result = run(demo, campaigns=path)

        (outcome,) = [o for o in result.outcomes if o.legacy_id == GUTTER]
        assert outcome.notes == [
            'deals are off: pipeline "1" of the old CRM does not exist here; choose a pipeline '
            "and a stage on the campaign to create deals."
        ]

    def test_an_array_that_is_not_json_cannot_be_read(self, demo, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text('[{"_id": {"$oid": "65b0c0ffee0000000000c0aa"}')

        with pytest.raises(LegacyExportError, match="not a valid JSON array"):
            run(demo, campaigns=path)
        assert not Campaign.objects.exists()


class TestCommand:
    def test_it_imports_and_prints_a_summary_and_each_rejection(self, demo):
        out = command(CAMPAIGNS, "--users", USERS, "--account", demo.pk)

        lines = out.splitlines()
        assert lines[0] == f'Importing into "Demo Agency" (account {demo.pk}).'
        assert lines[-1] == "Created 6, updated 0, unchanged 0, rejected 9."
        assert "warning: users export line 4: no _id or no email; skipped" in lines
        rejected = [line for line in lines if line.startswith("rejected ")]
        assert len(rejected) == 9
        roof, gutter = imported(demo, ROOF), imported(demo, GUTTER)
        assert rejected[0] == (
            "rejected line 7 (legacy 65b0c0ffee0000000000c007): tracking_number: Tracking number "
            "already added! +14155550100 is used by the live campaign "
            f'"Roof Repair Calls" (#{roof.pk}, legacy {ROOF}).'
        )
        assert f"note: line 2 (campaign #{gutter.pk}, legacy {GUTTER}): deals are off" in out
        assert Campaign.objects.count() == 6

    def test_a_dry_run_writes_nothing_and_prints_what_it_would_create(
        self, demo, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            out = command(CAMPAIGNS, "--users", USERS, "--account", demo.pk, "--dry-run")

        assert callbacks == []
        assert not Campaign.objects.exists()
        assert not CampaignTally.objects.filter(count__gt=0).exists()
        assert Delivery.objects.count() == 0
        assert "Dry run: nothing will be written." in out.splitlines()[0]
        assert f'create line 1 (legacy {ROOF}) "Roof Repair Calls"\n' in out
        assert '    tracking_number: "+14155550100"\n' in out
        assert '    page_url: "https://example.com/roof-repair"\n' in out
        assert '    selected_user: ["rep@demo.test +14155550111", "admin@demo.test"]\n' in out
        assert '    created_at: "2023-03-14T15:09:26.535000+00:00"\n' in out
        # A dry run sees its own plan: the later copy of the number is still a duplicate.
        assert (
            "rejected line 7 (legacy 65b0c0ffee0000000000c007): tracking_number: Tracking number "
            "already added! +14155550100 is used by the live campaign "
            f'"Roof Repair Calls" (legacy {ROOF}).\n'
        ) in out
        assert out.splitlines()[-1] == "Would create 6, update 0, leave 0 unchanged; reject 9."

    def test_a_dry_run_of_an_edited_export_prints_the_field_changes(self, demo, tmp_path):
        run(demo)
        roof = imported(demo, ROOF)
        edited = edited_export(tmp_path, ROOF, status=False, page_url="https://example.com/roof")

        out = command(edited, "--users", USERS, "--account", demo.pk, "--dry-run")

        assert (
            f'update line 1 (campaign #{roof.pk}, legacy {ROOF}) "Roof Repair Calls"\n'
            '    page_url: "https://example.com/roof-repair" -> "https://example.com/roof"\n'
            "    status: true -> false\n"
        ) in out
        assert f"unchanged line 2 (campaign #{imported(demo, GUTTER).pk}" in out
        assert out.splitlines()[-1] == "Would create 0, update 1, leave 5 unchanged; reject 9."
        roof.refresh_from_db()
        assert (roof.status, roof.page_url) == (True, "https://example.com/roof-repair")

    def test_it_counts_documents_as_it_goes(self, demo):
        out = command(CAMPAIGNS, "--users", USERS, "--account", demo.pk, "--progress-every", "5")

        assert [line for line in out.splitlines() if line.startswith("…")] == [
            "… 5 documents read",
            "… 10 documents read",
            "… 15 documents read",
        ]

    def test_it_exits_with_status_1_when_documents_were_refused(self, demo, tmp_path):
        with pytest.raises(CommandError) as refused:
            call_command(
                "import_legacy_campaigns",
                str(CAMPAIGNS),
                "--users",
                str(USERS),
                "--account",
                str(demo.pk),
                stdout=io.StringIO(),
            )

        assert refused.value.returncode == 1
        assert str(refused.value) == (
            "9 documents refused, listed above; the others were imported. Correct them and "
            "run the import again: it is safe to repeat."
        )
        assert Campaign.objects.count() == 6

    def test_an_export_with_nothing_refused_ends_without_an_error(self, demo, tmp_path):
        good = tmp_path / "good.json"
        good.write_text(CAMPAIGNS.read_text(encoding="utf-8").splitlines()[0] + "\n")

        out = io.StringIO()
        call_command(
            "import_legacy_campaigns",
            str(good),
            "--users",
            str(USERS),
            "--account",
            str(demo.pk),
            stdout=out,
        )

        assert out.getvalue().splitlines()[-1] == "Created 1, updated 0, unchanged 0, rejected 0."

    @pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
    def test_an_empty_export_says_so_and_exits_with_status_1(self, demo, tmp_path, dry_run):
        path = tmp_path / "empty.json"
        path.write_bytes(b"")
        out = io.StringIO()

        with pytest.raises(CommandError) as refused:
            call_command(
                "import_legacy_campaigns",
                str(path),
                "--users",
                str(USERS),
                "--account",
                str(demo.pk),
                *dry_run,
                stdout=out,
            )

        assert refused.value.returncode == 1
        assert str(refused.value) == (
            "The export holds no campaign documents (the file is empty, or holds only blank "
            "lines or an empty JSON array): nothing was imported. Check that it is the old "
            "service's campaigns export (mongoexport of its campaigns) and run again."
        )
        assert "Would create" not in out.getvalue()
        assert "Created" not in out.getvalue()

    def test_instasites_is_noted_for_its_document(self, demo):
        out = command(CAMPAIGNS, "--users", USERS, "--account", demo.pk)

        gutter = imported(demo, GUTTER)
        assert (
            f"note: line 2 (campaign #{gutter.pk}, legacy {GUTTER}): imported as a lead form "
            "campaign: the old service's 'instasites' campaigns were lead forms it made from its "
            "InstaSites template."
        ) in out.splitlines()

    def test_a_missing_file_is_a_clear_error(self, demo, tmp_path):
        with pytest.raises(CommandError, match=r"No such file: .*nowhere\.json"):
            command(tmp_path / "nowhere.json", "--users", USERS, "--account", demo.pk)
        with pytest.raises(CommandError, match=r"No such file: .*nobody\.json"):
            command(CAMPAIGNS, "--users", tmp_path / "nobody.json", "--account", demo.pk)

    def test_an_unknown_account_is_a_clear_error(self, db):
        with pytest.raises(CommandError, match=r"No account with id 999999\."):
            command(CAMPAIGNS, "--users", USERS, "--account", 999999)

    def test_a_bad_legacy_account_is_a_clear_error(self, demo):
        with pytest.raises(CommandError, match="--legacy-account must be an ObjectId"):
            command(CAMPAIGNS, "--users", USERS, "--account", demo.pk, "--legacy-account", "acme")

    def test_an_unreadable_array_is_a_clear_error(self, demo, tmp_path):
        path = tmp_path / "broken.json"
        path.write_text("[{")

        with pytest.raises(CommandError, match="not a valid JSON array"):
            command(path, "--users", USERS, "--account", demo.pk)


def export(tmp_path, *documents, array=False):
    """An export of `documents` (dicts, or text taken as it is), one per line or as an array."""
    texts = [d if isinstance(d, str) else json.dumps(d) for d in documents]
    path = tmp_path / "export.json"
    path.write_text(f"[{', '.join(texts)}]" if array else "\n".join(texts) + "\n")
    return path


def form_document(number, **fields):
    """A form campaign document of the sample's old account, `_id` ending in `number`."""
    return {
        "_id": {"$oid": f"65b0c0ffee0000000000d{number:03d}"},
        "account_id": {"$oid": OLD_ACCOUNT},
        "campaign_name": f"Form {number}",
        "integration": "form",
        **fields,
    }


class TestCreatedAt:
    @pytest.mark.parametrize(
        "value",
        [
            {"$date": "0001-01-01T00:00:00Z"},
            {"$date": {"$numberLong": "-62135596800000"}},
            "0001-01-01T00:00:00",
            {"$date": "1969-07-20T20:17:00Z"},
            {"$date": 0},
        ],
    )
    def test_a_zero_time_or_a_date_before_1970_is_refused(self, demo, tmp_path, value):
        result = run(demo, campaigns=export(tmp_path, form_document(1, created_at=value)))

        (outcome,) = result.rejected
        assert outcome.reason.startswith("created_at: ") and "is not after 1970-01-01" in (
            outcome.reason
        )
        assert not Campaign.objects.exists()

    def test_a_date_shaped_text_that_is_no_date_is_not_a_date(self, demo, tmp_path, caplog):
        path = export(tmp_path, form_document(1, created_at="2023-13-45T00:00:00"))

        result = run(demo, campaigns=path)

        assert [o.reason for o in result.rejected] == ["created_at: not a date."]
        assert "Traceback" not in caplog.text and not caplog.records

    def test_a_campaign_dated_in_year_1_never_fails_the_list_page(self, demo, client):
        demo.timezone = "America/New_York"
        demo.save()
        campaign = make_campaign(demo_tenant(demo), campaign_name="Zero time")
        Campaign.objects.filter(pk=campaign.pk).update(created_at=datetime(1, 1, 1, tzinfo=UTC))
        client.force_login(demo.admin)

        response = client.get("/campaigns/")

        assert response.status_code == 200
        assert "Zero time" in response.text and "0001-01-01" in response.text


class TestDeepDocuments:
    DEEP = '{"_id": {"$oid": "65b0c0ffee0000000000d999"}, "x": ' + "[" * 200_000 + "]" * 200_000

    @pytest.mark.parametrize("array", [False, True])
    def test_a_document_nested_too_deep_is_refused_and_the_others_go_on(
        self, demo, tmp_path, array
    ):
        path = export(tmp_path, form_document(1), self.DEEP + "}", form_document(2), array=array)

        result = run(demo, campaigns=path)

        assert [o.legacy_id[-4:] for o in result.created] == ["d001", "d002"]
        (outcome,) = result.rejected
        assert outcome.reason == "nested more than 32 levels deep."
        assert outcome.where == ("item 2" if array else "line 2")

    def test_a_document_deeper_than_32_levels_is_refused_even_when_it_can_be_read(
        self, demo, tmp_path
    ):
        nested = json.loads("[" * 40 + "]" * 40)
        result = run(demo, campaigns=export(tmp_path, form_document(1, extra=nested)))

        assert [o.reason for o in result.rejected] == ["nested more than 32 levels deep."]

    def test_refusals_are_reported_as_they_happen(self, demo, tmp_path):
        seen = []

        def reported(outcome):
            seen.append((outcome.where, outcome.action, Campaign.objects.count()))

        path = export(tmp_path, "not json", form_document(1), form_document(2))
        run(demo, campaigns=path, on_outcome=reported)

        assert seen == [
            ("line 1", "rejected", 0),
            ("line 2", "created", 1),
            ("line 3", "created", 2),
        ]

    def test_an_interrupted_import_says_what_it_did_and_fails(self, demo, tmp_path, monkeypatch):
        save = services.import_campaign

        def interrupted_at_the_third(**kwargs):
            if kwargs["legacy_id"].endswith("d003"):
                raise KeyboardInterrupt
            return save(**kwargs)

        monkeypatch.setattr(services, "import_campaign", interrupted_at_the_third)
        path = export(tmp_path, form_document(1), "{", form_document(3), form_document(4))
        out = io.StringIO()

        with pytest.raises(CommandError, match="Interrupted at line 3") as raised:
            call_command(
                "import_legacy_campaigns", path, "--users", USERS, "--account", demo.pk, stdout=out
            )

        assert raised.value.returncode == 130
        assert "rejected line 2 (legacy ?): not valid JSON" in out.getvalue()
        assert out.getvalue().splitlines()[-1] == "Created 1, updated 0, unchanged 0, rejected 1."
        assert list(Campaign.objects.values_list("legacy_id", flat=True)) == [
            "65b0c0ffee0000000000d001"
        ]


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_holds_no_transaction_between_documents(tmp_path):
    from django.db import connection

    account = make_account("Demo Agency", "admin@demo.test")
    make_member(account, "rep@demo.test", Role.MEMBER)
    between = []

    with open(CAMPAIGNS) as lines, open(USERS) as people:
        result = import_legacy_campaigns(
            account=account,
            campaigns=lines,
            users=people,
            dry_run=True,
            on_outcome=lambda outcome: between.append(connection.in_atomic_block),
        )

    assert len(between) == 15 and not any(between)
    assert result.summary() == "Would create 6, update 0, leave 0 unchanged; reject 9."
    assert not Campaign.objects.exists()


class TestOldAccount:
    def test_the_old_account_is_remembered_and_any_other_refused_in_later_runs(
        self, demo, tmp_path
    ):
        run(demo)
        demo.refresh_from_db()
        assert demo.legacy_account == OLD_ACCOUNT

        stray = form_document(1, account_id={"$oid": "5f0c1a2b3c4d5e6f7a8b9c99"})
        result = run(demo, campaigns=export(tmp_path, stray, form_document(2)))

        assert [o.legacy_id[-4:] for o in result.created] == ["d002"]
        assert [o.reason for o in result.rejected] == [
            "account_id: the document belongs to the old account 5f0c1a2b3c4d5e6f7a8b9c99, not "
            f'{OLD_ACCOUNT}, the one "Demo Agency" was moved in from.'
        ]

    def test_a_dry_run_remembers_nothing(self, demo):
        run(demo, dry_run=True)
        demo.refresh_from_db()
        assert demo.legacy_account == ""

    def test_another_legacy_account_than_the_remembered_one_is_refused(self, demo):
        run(demo)

        with pytest.raises(LegacyExportError, match=f"moved in from the old account {OLD_ACCOUNT}"):
            run(demo, legacy_account="5f0c1a2b3c4d5e6f7a8b9c99")

    @pytest.mark.parametrize("value", [123, "", {}, True, "acme", None])
    def test_an_account_id_that_is_no_object_id_is_refused(self, demo, tmp_path, value):
        path = export(tmp_path, form_document(1, account_id=value), form_document(2))

        result = run(demo, campaigns=path)

        assert [o.legacy_id[-4:] for o in result.created] == ["d002"]
        (outcome,) = result.rejected
        assert outcome.reason.startswith("account_id: ")

    def test_an_old_account_moved_into_another_account_is_refused_naming_it(self, demo):
        other = make_account("Other Agency", "boss@other.test")
        make_member(other, "admin@demo.test", Role.ADMIN)
        make_member(other, "rep@demo.test", Role.MEMBER)
        run(demo)
        with pytest.raises(LegacyExportError, match="already moved into"):
            run(other, legacy_account=OLD_ACCOUNT)

        result = run(other)

        # Only the sample's stray document, of an old account never moved, can go there.
        assert [o.where for o in result.created] == ["line 15"]
        reason = (
            f'account_id: the old account {OLD_ACCOUNT} was already moved into "Demo Agency" '
            f"(account {demo.pk})"
        )
        assert all(o.reason.startswith(reason) for o in result.rejected[:6])
        assert not Campaign.objects.for_account(other).filter(legacy_id=ROOF).exists()


class TestChangedHere:
    def test_a_campaign_changed_or_deleted_here_is_kept_and_reported(self, demo):
        run(demo)
        roof, gutter = imported(demo, ROOF), imported(demo, GUTTER)
        Campaign.objects.filter(pk=roof.pk).update(status=False, campaign_name="Roofs (paused)")
        Campaign.objects.filter(pk=gutter.pk).update(is_deleted=True)

        out = command(CAMPAIGNS, "--users", USERS, "--account", demo.pk)

        roof.refresh_from_db()
        gutter.refresh_from_db()
        assert (roof.campaign_name, roof.status, gutter.is_deleted) == (
            "Roofs (paused)",
            False,
            True,
        )
        assert (
            f'kept line 1 (campaign #{roof.pk}, legacy {ROOF}) "Roofs (paused)": kept: changed '
            "here since it was moved in (campaign_name, status)"
        ) in out
        assert f"kept line 2 (campaign #{gutter.pk}, legacy {GUTTER})" in out
        assert "Created 0, updated 0, unchanged 4, kept 2 changed here, rejected 9." in out

    def test_overwrite_changes_applies_the_export(self, demo):
        run(demo)
        roof = imported(demo, ROOF)
        Campaign.objects.filter(pk=roof.pk).update(status=False, campaign_name="Renamed")

        result = run(demo, overwrite_changes=True)

        roof.refresh_from_db()
        assert (roof.campaign_name, roof.status) == ("Roof Repair Calls", True)
        assert [o.legacy_id for o in result.updated] == [ROOF]
        assert run(demo).updated == run(demo).kept == []

    def test_a_deal_pipeline_chosen_here_is_no_change_that_keeps_a_campaign(self, demo, tmp_path):
        from crm.models import Pipeline

        run(demo)
        pipeline = Pipeline.objects.filter(account=demo).first()
        chosen = {"pipeline_id": str(pipeline.pk), "stage_id": str(pipeline.stages.first().pk)}
        Campaign.objects.filter(legacy_id=ROOF).update(create_deal=True, **chosen)

        result = run(demo, campaigns=edited_export(tmp_path, ROOF, status=False))

        assert [o.legacy_id for o in result.updated] == [ROOF]
        roof = imported(demo, ROOF)
        assert (roof.status, roof.create_deal, roof.pipeline_id) == (
            False,
            True,
            chosen["pipeline_id"],
        )

    def test_updates_are_listed_at_default_verbosity(self, demo, tmp_path):
        run(demo)
        roof = imported(demo, ROOF)

        out = command(
            edited_export(tmp_path, ROOF, status=False), "--users", USERS, "--account", demo.pk
        )

        assert f'updated line 1 (campaign #{roof.pk}, legacy {ROOF}) "Roof Repair Calls"\n' in out
        assert "    status: true -> false\n" in out
        assert "unchanged line 2" not in out

    def test_a_campaign_imported_before_changes_were_tracked_is_kept_when_it_differs(
        self, demo, tmp_path
    ):
        run(demo)
        Campaign.objects.filter(legacy_id__isnull=False).update(legacy_values=None)
        Campaign.objects.filter(legacy_id=ROOF).update(status=False)

        result = run(demo)

        assert [o.legacy_id for o in result.kept] == [ROOF]
        assert "kept: moved in before imports remembered what they wrote" in result.kept[0].reason
        assert imported(demo, ROOF).status is False
        # The ones still as the export has them are remembered now.
        assert imported(demo, GUTTER).legacy_values is not None
        assert imported(demo, ROOF).legacy_values is None


class TestControlCharacters:
    def test_a_header_lines_breaks_are_spaces(self, demo, tmp_path):
        """A subject or Reply-To name the old service kept with a line break arrives as one
        line (the forms refuse a line break typed)."""
        details = {"subject": "New\r\nlead", "reply_to": {"email": "a@b.test", "name": "Ann\nLee"}}
        path = export(tmp_path, form_document(1, email_details=details))

        command(path, "--users", USERS, "--account", demo.pk)

        stored = Campaign.objects.get().email_details
        assert (stored["subject"], stored["reply_to"]["name"]) == ("New  lead", "Ann Lee")

    def test_names_lose_control_characters_and_the_report_prints_none(self, demo, tmp_path):
        path = export(
            tmp_path,
            form_document(1, campaign_name="Evil\u001b[31mRED\u001b[0m\u0007"),
            form_document(2, campaign_name="Two\nrejected line 9 (legacy x): forged"),
            form_document(3, integration="form\u001b[2J"),
        )

        out = command(path, "--users", USERS, "--account", demo.pk, "-v", "2")

        names = sorted(Campaign.objects.values_list("campaign_name", flat=True))
        assert names == ["Evil[31mRED[0m", "Two rejected line 9 (legacy x): forged"]
        assert "\u001b" not in out and "\u0007" not in out
        assert not any(line.startswith("rejected line 9") for line in out.splitlines())
        assert "rejected line 3 (legacy 65b0c0ffee0000000000d003): integration:" in out
