"""Deploy checks of the platform: production refuses to start on the embedded defaults.

Run by `manage.py check --deploy` (the release step runs it): each missing setting is an Error,
so the check fails and lists them all.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.database, deploy=True)
def check_production_services(app_configs=None, **kwargs) -> list[Error]:
    """Errors for a missing `DATABASE_URL` (production would write to a SQLite file) and a
    missing `REDIS_URL` (tasks would run inside web requests and live updates would reach only
    the process that sent them)."""
    errors = []
    if not settings.DATABASE_URL:
        errors.append(
            Error(
                "DATABASE_URL is not set: the data would go to a SQLite file.",
                hint="Set DATABASE_URL to the PostgreSQL database, e.g. postgres://…",
                id="campaignhub.E001",
            )
        )
    if not settings.REDIS_URL:
        errors.append(
            Error(
                "REDIS_URL is not set: tasks would run inside web requests and live updates "
                "would not reach other processes.",
                hint="Set REDIS_URL to the Redis server used by Celery and channels.",
                id="campaignhub.E002",
            )
        )
    return errors
