"""Settings of the served app under benchmark: production settings plus the floor views."""

from campaignhub.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The floor tasks, loaded by the bench's workers too.
CELERY_IMPORTS = ["bench.tasks"]
