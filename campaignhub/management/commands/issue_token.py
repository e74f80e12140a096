from django.core.management.base import BaseCommand, CommandError

from campaignhub import services
from campaignhub.models import User
from campaignhub.tenancy import memberships_of


class Command(BaseCommand):
    help = "Issue an API token for a user; prints only the token (it is stored hashed)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--account", type=int, help="Needed when the user is in several.")
        parser.add_argument("--name", default="Command line")

    def handle(self, *args, email, account, name, **options):
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {email}.")
        memberships = memberships_of(user)
        if account is not None:
            memberships = memberships.filter(account_id=account)
        memberships = list(memberships)
        if not memberships:
            raise CommandError(
                f"{email} is not a member of {'that' if account else 'any'} account."
            )
        if len(memberships) > 1:
            ids = ", ".join(str(m.account_id) for m in memberships)
            raise CommandError(f"{email} is in several accounts ({ids}); pass --account <id>.")
        issued = services.issue_token(account=memberships[0].account, user=user, name=name)
        self.stdout.write(issued.raw)
