import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from campaignhub.models import Account, Membership, User

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip()


def test_create_account_prints_the_id_and_makes_the_admin():
    account_id = run(
        "create_account", "Acme Agency", "--admin", "boss@acme.test", "--password", "pw-123456"
    )
    account = Account.objects.get(pk=int(account_id))
    assert account.name == "Acme Agency"
    membership = Membership.objects.get(account=account)
    assert membership.user.email == "boss@acme.test" and membership.role == "admin"
    assert Client().login(username="boss@acme.test", password="pw-123456")


def test_create_account_rejects_a_bad_email():
    with pytest.raises(CommandError, match="is not an email address"):
        run("create_account", "Acme", "--admin", "nope")
    assert not Account.objects.exists()


def test_add_member_with_role_and_password():
    account_id = run("create_account", "Acme", "--admin", "boss@acme.test")
    output = run(
        "add_member", account_id, "rep@acme.test", "--role", "member", "--password", "pw-rep-1"
    )
    assert output == "rep@acme.test is member of Acme"
    assert Membership.objects.get(user__email="rep@acme.test").role == "member"
    run("add_member", account_id, "rep@acme.test", "--role", "admin")
    assert Membership.objects.get(user__email="rep@acme.test").role == "admin"


def test_add_member_to_unknown_account_fails():
    with pytest.raises(CommandError, match="No account with id 999"):
        run("add_member", "999", "rep@acme.test")


def test_issue_token_prints_only_a_token_that_works():
    run("create_account", "Acme", "--admin", "boss@acme.test")
    token = run("issue_token", "boss@acme.test")
    assert "\n" not in token and token.startswith("chub_")
    response = Client().get("/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.json()["data"]["account"]["name"] == "Acme"


def test_issue_token_needs_account_when_user_is_in_several():
    first = run("create_account", "One", "--admin", "boss@acme.test")
    second = run("create_account", "Two", "--admin", "boss@acme.test")
    with pytest.raises(CommandError, match="several accounts"):
        run("issue_token", "boss@acme.test")
    token = run("issue_token", "boss@acme.test", "--account", second)
    me = Client().get("/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()["data"]
    assert me["account"]["id"] == int(second) != int(first)


def test_issue_token_for_unknown_user_fails():
    with pytest.raises(CommandError, match="No active user"):
        run("issue_token", "ghost@acme.test")


def test_token_of_one_account_sees_404_on_another_accounts_objects(tenant_a, tenant_b):
    token = run("issue_token", tenant_b.admin.email)
    response = Client().post(
        f"/settings/tokens/{tenant_a.token.token.pk}/revoke/", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    # Page views use sessions only; a bearer token never signs a browser in.
    assert response.status_code == 302
    tenant_a.token.token.refresh_from_db()
    assert tenant_a.token.token.revoked_at is None


def test_demo_is_idempotent_and_prints_logins():
    first = run("demo")
    second = run("demo")
    assert Account.objects.filter(name="Demo Agency").count() == 1
    assert User.objects.filter(email__in=["admin@demo.test", "rep@demo.test"]).count() == 2
    assert "admin@demo.test / campaignhub-demo" in first
    assert "rep@demo.test / campaignhub-demo" in second
    assert Client().login(username="admin@demo.test", password="campaignhub-demo")
    assert Client().login(username="rep@demo.test", password="campaignhub-demo")


def test_the_demo_leads_of_today_are_the_newest_after_its_month_of_history():
    from campaigns.models import Lead

    run("demo")
    newest = list(Lead.objects.order_by("-id").values_list("external_id", flat=True)[:6])
    assert sorted(newest) == [
        *(f"demo-{n}" for n in range(3)),
        *(f"demo-deal-{n}" for n in range(3)),
    ]
    assert Lead.objects.filter(external_id__startswith="report-demo-").count() == 150
    history = Lead.objects.filter(external_id__startswith="report-demo-")
    assert (
        history.order_by("-created_at").first().created_at
        < Lead.objects.get(external_id="demo-0").created_at
    )


def _production_env(**extra):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "campaignhub.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-value-1234567890",
        "ALLOWED_HOSTS": "hub.example.com",
        "FIELD_ENCRYPTION_KEY": "kYp5b2l2ZWVpbWFnaW5lYXBhc3N3b3JkZm9yeW91MTI=",
        "DATABASE_URL": "postgres://hub@db.internal/hub",
        "REDIS_URL": "redis://cache.internal:6379/0",
        "ANYMAIL_WEBHOOK_SECRET": "hook:secret",
        **extra,
    }


def test_production_settings_pass_check_deploy(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_release_step_collects_static_files_with_their_manifest(tmp_path):
    """The Procfile's `collectstatic` with production storage (hashed names, a manifest,
    compressed copies): a file that names one missing (a source map, an image in CSS) fails
    it, and without the manifest every page is a 500."""
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=_production_env(STATIC_ROOT=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for name in ("favicon.svg", "css/app.css", "js/app.js", "vendor/chartjs/chart.umd.min.js"):
        assert (tmp_path / manifest[name]).is_file()


def test_production_settings_refuse_the_development_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "campaignhub.settings", "DEBUG": "false"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "Set SECRET_KEY when DEBUG is false." in result.stderr
