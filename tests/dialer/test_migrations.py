"""Moving extensions from the person to the membership: each person's extension is copied to
every account of theirs before the person's field is dropped."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

BEFORE = [("campaignhub", "0005_user_dialer_extension"), ("dialer", "0001_initial")]
COPY = ("dialer", "0002_agent_extension_per_account_and_upload_retries")
DROP = ("campaignhub", "0006_remove_user_dialer_extension")


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_the_field_is_dropped_only_after_the_copy():
    plan = MigrationLoader(None).graph.forwards_plan(DROP)
    assert plan.index(COPY) < plan.index(DROP)


@pytest.mark.django_db(transaction=True)
def test_each_extension_reaches_every_account_of_its_person_and_the_field_goes():
    try:
        old = _migrate(BEFORE)
        Account = old.get_model("campaignhub", "Account")
        User = old.get_model("campaignhub", "User")
        Membership = old.get_model("campaignhub", "Membership")
        acme, bolt = Account.objects.create(name="Acme"), Account.objects.create(name="Bolt")
        agent = User.objects.create(email="agent@acme.test", dialer_extension="909")
        plain = User.objects.create(email="plain@acme.test", dialer_extension=None)
        blank = User.objects.create(email="blank@acme.test", dialer_extension="")
        for account, user in ((acme, agent), (bolt, agent), (acme, plain), (bolt, blank)):
            Membership.objects.create(account=account, user=user, role="member")

        new = _migrate(_latest())

        AgentExtension = new.get_model("dialer", "AgentExtension")
        copied = sorted(
            AgentExtension.objects.values_list(
                "account__name", "membership__user__email", "extension"
            )
        )
        assert copied == [("Acme", "agent@acme.test", "909"), ("Bolt", "agent@acme.test", "909")]
        User = new.get_model("campaignhub", "User")
        assert "dialer_extension" not in {f.name for f in User._meta.get_fields()}
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                connection.cursor(), User._meta.db_table
            )
        }
        assert "dialer_extension" not in columns
    finally:
        _migrate(_latest())


@pytest.mark.django_db(transaction=True)
def test_calls_held_before_the_upgrade_keep_who_has_their_extension_then():
    try:
        old = _migrate(
            [node for node in _latest() if node[0] != "dialer"]
            + [("dialer", "0003_upload_warnings")]
        )
        Account = old.get_model("campaignhub", "Account")
        User = old.get_model("campaignhub", "User")
        Membership = old.get_model("campaignhub", "Membership")
        AgentExtension = old.get_model("dialer", "AgentExtension")
        DialerCampaign = old.get_model("dialer", "DialerCampaign")
        DialerEvent = old.get_model("dialer", "DialerEvent")
        acme = Account.objects.create(name="Acme")
        riley = User.objects.create(email="riley@acme.test")
        membership = Membership.objects.create(account=acme, user=riley, role="member")
        AgentExtension.objects.create(account=acme, membership=membership, extension="105")
        campaign = DialerCampaign.objects.create(account=acme, name="Renewals", ref="ch-1")
        for call_ref, ignored, extension in (
            ("c1", "Held: paused.", "105"),
            ("c2", "Held: paused.", "999"),
            ("c3", "", "105"),
        ):
            DialerEvent.objects.create(
                account=acme,
                campaign=campaign,
                kind="cdr",
                call_ref=call_ref,
                extension=extension,
                ignored=ignored,
            )

        new = _migrate(_latest())

        DialerEvent = new.get_model("dialer", "DialerEvent")
        taken = dict(DialerEvent.objects.values_list("call_ref", "taken_by__email"))
        assert taken == {"c1": "riley@acme.test", "c2": None, "c3": None}
    finally:
        _migrate(_latest())
