from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from campaignhub import services
from campaignhub.models import Account, Role


class Command(BaseCommand):
    help = "Add a person to an account with a role (creates the user when new)."

    def add_arguments(self, parser):
        parser.add_argument("account_id", type=int)
        parser.add_argument("email")
        parser.add_argument("--role", choices=Role.values, default=Role.MEMBER)
        parser.add_argument("--password", help="Set (or reset) the user's password.")

    def handle(self, *args, account_id, email, role, password, **options):
        account = Account.objects.filter(pk=account_id).first()
        if account is None:
            raise CommandError(f"No account with id {account_id}.")
        try:
            validate_email(email)
            membership = services.add_member(
                account=account, email=email, role=role, password=password
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"{membership.user.email} is {membership.role} of {account.name}")
