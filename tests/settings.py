"""Test settings: the environment's settings with fast hashing and in-process side effects."""

import os

from campaignhub.settings import *  # noqa: F403
from campaignhub.settings import BASE_DIR, DATABASES, EMBEDDED_CACHE

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "notifications.transports.sms.LocmemBackend"
PUSH_BACKEND = "notifications.transports.push.LocmemBackend"
TWILIO_DEFAULT_FROM = "+15005550006"
# Tests call tasks eagerly; the tests that need a real worker start one against Redis.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Rate-limit counters must not leak between tests or runs through a shared Redis.
CACHES = {"default": EMBEDDED_CACHE}
PUBLIC_BASE_URL = "http://testserver"
# Tests wrapped in a transaction must see their data from the view: webhooks are accepted on the
# test's own thread here; test_webhooks.py covers the threaded accept of production.
WEBHOOK_INTAKE_THREADS = False
# The test client's login() authenticates without a request, which django-axes refuses;
# tests/security turns login throttling on where it is the subject.
AXES_ENABLED = False

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The browser tests serve from a second (forked) process, which cannot see an in-memory
    # database; one file per test run, so two runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
# Serve static files from the app folders, as in development, without running collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
