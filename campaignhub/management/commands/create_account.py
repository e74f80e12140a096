from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from campaignhub import services


class Command(BaseCommand):
    help = "Create an account (agency) with its first admin; prints the account id."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--admin", required=True, metavar="EMAIL")
        parser.add_argument("--password", help="Set (or reset) the admin's password.")

    def handle(self, *args, name, admin, password, **options):
        if not name.strip():
            raise CommandError("The account name cannot be empty.")
        try:
            validate_email(admin)
        except ValidationError:
            raise CommandError(f"{admin!r} is not an email address.") from None
        account = services.create_account(
            name=name.strip(), admin_email=admin, admin_password=password
        )
        self.stdout.write(str(account.pk))
