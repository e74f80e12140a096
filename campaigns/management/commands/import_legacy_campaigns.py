import json
from contextlib import ExitStack

from bson.objectid import ObjectId
from django.core.management.base import BaseCommand, CommandError

from campaignhub.models import Account
from campaigns.legacy import Action, LegacyExportError, import_legacy_campaigns


def _show(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _empty(value) -> bool:
    return value in (None, "", [], {})


class Command(BaseCommand):
    help = (
        "Import the old campaign service's MongoDB export (Extended JSON, one document per line "
        "or an array) into an account. Safe to run again: campaigns are matched by their old "
        "_id. --dry-run prints each create (its non-empty fields) and update (field by field) "
        "and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("campaigns", help="The campaign documents export (.json).")
        parser.add_argument(
            "--users", required=True, help="The users export, to match people by email."
        )
        parser.add_argument("--account", type=int, required=True, help="The target account id.")
        parser.add_argument("--dry-run", action="store_true", help="Print the plan; write nothing.")
        parser.add_argument(
            "--legacy-account",
            default="",
            help="The old account's ObjectId to move (default: the first document's account_id).",
        )
        parser.add_argument(
            "--progress-every",
            type=int,
            default=1000,
            help="Print a count after this many documents (default 1000).",
        )

    def handle(self, *args, **options):
        account = Account.objects.filter(pk=options["account"]).first()
        if account is None:
            raise CommandError(f"No account with id {options['account']}.")
        legacy_account = options["legacy_account"].strip().lower()
        if legacy_account and not ObjectId.is_valid(legacy_account):
            raise CommandError("--legacy-account must be an ObjectId (24 hexadecimal digits).")
        if options["progress_every"] < 1:
            raise CommandError("--progress-every must be at least 1.")
        dry_run = options["dry_run"]
        verbose = options["verbosity"] >= 2 or dry_run
        note = " Dry run: nothing will be written." if dry_run else ""
        self.stdout.write(f'Importing into "{account.name}" (account {account.pk}).{note}')
        with ExitStack() as files:
            campaigns = files.enter_context(self._open(options["campaigns"]))
            users = files.enter_context(self._open(options["users"]))
            try:
                result = import_legacy_campaigns(
                    account=account,
                    campaigns=campaigns,
                    users=users,
                    dry_run=dry_run,
                    legacy_account=legacy_account,
                    progress=lambda count: self.stdout.write(f"… {count} documents read"),
                    progress_every=options["progress_every"],
                )
            except LegacyExportError as exc:
                raise CommandError(str(exc)) from None
        for warning in result.warnings:
            self.stdout.write(f"warning: {warning}")
        for outcome in result.outcomes:
            if outcome.action == Action.REJECTED:
                self.stdout.write(self.style.ERROR(self._rejection(outcome)))
            elif verbose:
                self._plan(outcome, dry_run)
            for text in outcome.notes if outcome.action != Action.REJECTED else []:
                self.stdout.write(f"note: {outcome.where} ({self._ids(outcome)}): {text}")
        if not result.rejected:
            self.stdout.write(self.style.SUCCESS(result.summary()))
            return
        self.stdout.write(self.style.WARNING(result.summary()))
        # A script running the import must notice: exit status 1 when anything was refused.
        done = "nothing was written" if dry_run else "the others were imported"
        raise CommandError(
            f"{len(result.rejected)} document(s) refused, listed above; {done}. Correct them "
            "and run the import again: it is safe to repeat.",
            returncode=1,
        )

    def _open(self, path):
        try:
            # Invalid bytes reach the reader as lone surrogates; their document is rejected.
            return open(path, encoding="utf-8-sig", errors="surrogateescape")
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None

    @staticmethod
    def _ids(outcome) -> str:
        ids = [f"campaign #{outcome.campaign_id}"] if outcome.campaign_id else []
        ids.append(f"legacy {outcome.legacy_id or '?'}")
        return ", ".join(ids)

    def _rejection(self, outcome) -> str:
        return f"rejected {outcome.where} ({self._ids(outcome)}): {outcome.reason}"

    def _plan(self, outcome, dry_run):
        verb = {
            Action.CREATED: "create" if dry_run else "created",
            Action.UPDATED: "update" if dry_run else "updated",
            Action.UNCHANGED: "unchanged",
        }[outcome.action]
        self.stdout.write(
            f'{verb} {outcome.where} ({self._ids(outcome)}) "{outcome.campaign_name}"'
        )
        for name, (before, after) in outcome.changes.items():
            if outcome.action == Action.CREATED:
                if not _empty(after):
                    self.stdout.write(f"    {name}: {_show(after)}")
            else:
                self.stdout.write(f"    {name}: {_show(before)} -> {_show(after)}")
