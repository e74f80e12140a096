from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from campaignhub.models import Account
from campaigns import services


class Command(BaseCommand):
    help = "Rebuild the per-account campaign counts from the campaigns themselves."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, help="Only this account id.")

    def handle(self, *args, account, **options):
        accounts = Account.objects.all() if account is None else Account.objects.filter(pk=account)
        for each in accounts:
            services.recount_tallies(each)
        count = accounts.count()
        self.stdout.write(
            ngettext("Recounted %d account.", "Recounted %d accounts.", count) % count
        )
