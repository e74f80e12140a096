from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from campaignhub import services
from campaignhub.models import Account, Role

DEMO_ACCOUNT = "Demo Agency"
DEMO_PASSWORD = "campaignhub-demo"
DEMO_ADMIN = "admin@demo.test"
DEMO_MEMBER = "rep@demo.test"


class Command(BaseCommand):
    help = "Load the demo account, users and each app's demo data. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        account = Account.objects.filter(name=DEMO_ACCOUNT).order_by("pk").first()
        if account is None:
            account = Account.objects.create(name=DEMO_ACCOUNT, timezone="America/New_York")
        admin = services.add_member(
            account=account,
            email=DEMO_ADMIN,
            role=Role.ADMIN,
            name="Dana Admin",
            password=DEMO_PASSWORD,
        ).user
        member = services.add_member(
            account=account,
            email=DEMO_MEMBER,
            role=Role.MEMBER,
            name="Riley Rep",
            password=DEMO_PASSWORD,
        ).user
        for user, phone in ((admin, "+14155550101"), (member, "+14155550102")):
            if not user.phone:
                services.update_profile(user=user, name=user.name, phone=phone)
        # Each app may ship a `demo` module with `load(account=, admin=, member=, stdout=)`
        # (campaigns, connections, history) and `arrive(...)` (today's leads). Today's leads
        # arrive after every app's history, so their ids are the newest, as for real leads
        # (lists are newest first by id).
        people = {"account": account, "admin": admin, "member": member, "stdout": self.stdout}
        modules = [
            import_module(f"{app_config.name}.demo")
            for app_config in apps.get_app_configs()
            if find_spec(f"{app_config.name}.demo") is not None
        ]
        for module in modules:
            module.load(**people)
        for module in modules:
            if hasattr(module, "arrive"):
                module.arrive(**people)
        self.stdout.write(f"Demo account: {account.name} (id {account.pk})")
        self.stdout.write(f"  admin:  {DEMO_ADMIN} / {DEMO_PASSWORD}")
        self.stdout.write(f"  member: {DEMO_MEMBER} / {DEMO_PASSWORD}")
