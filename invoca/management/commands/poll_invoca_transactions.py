"""`python manage.py poll_invoca_transactions [--account ID]`: read Invoca's Transactions API
now, as the beat schedule does every `INVOCA_TRANSACTIONS_POLL_SECONDS` (useful where no beat
runs, such as `make run`)."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

from campaignhub.http import ApiError
from invoca import transactions


class Command(BaseCommand):
    help = "Read new calls from Invoca's Transactions API into leads, for every live connection."

    def add_arguments(self, parser):
        parser.add_argument("--account", type=int, help="only this account's connection")

    def handle(self, *args, account=None, **options):
        connections = transactions.live_connections()
        if account is not None:
            connections = connections.filter(account_id=account)
        failed = False
        for connection in connections.select_related("account"):
            try:
                result = transactions.poll(connection.pk)
            except ApiError as exc:
                failed = True
                self.stderr.write(f"{connection.account}: Invoca failed: {exc}")
                continue
            if result is None:
                self.stdout.write(f"{connection.account}: another poll is running; skipped.")
                continue
            state = "up to date" if result.finished else "more to read on the next run"
            self.stdout.write(
                f"{connection.account}: {result.rows} transaction{pluralize(result.rows)} in "
                f"{result.pages} page{pluralize(result.pages)}, "
                f"{state}."
            )
        if failed:
            raise CommandError("Some connections could not be polled; see above.")
