from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import ngettext

from campaignhub.crypto import EncryptedTextField


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key of FIELD_ENCRYPTION_KEY."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            with transaction.atomic():
                for row in model._default_manager.only("pk", *fields).iterator():
                    # Reading decrypts with any listed key; saving encrypts with the first.
                    row.save(update_fields=fields)
                    total += 1
            self.stdout.write(f"{model._meta.label}: {', '.join(fields)}")
        self.stdout.write(ngettext("Re-encrypted %d row.", "Re-encrypted %d rows.", total) % total)
