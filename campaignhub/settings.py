"""Settings, read from the environment only.

With nothing set this is the embedded default: SQLite file, in-memory channel layer, Celery tasks
run eagerly in the web process, console email. `DATABASE_URL` and `REDIS_URL` switch to the scaled
mode (PostgreSQL, Redis for Celery and channels).
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
INSECURE_SECRET_KEY = "insecure-development-key-do-not-use-in-production"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default=INSECURE_SECRET_KEY)
if not DEBUG and SECRET_KEY == INSECURE_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY when DEBUG is false.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Fernet keys for secrets at rest (comma-separated, newest first); see campaignhub/crypto.py.
FIELD_ENCRYPTION_KEY = env("FIELD_ENCRYPTION_KEY", default="")
if not FIELD_ENCRYPTION_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEY when DEBUG is false.")
    from campaignhub.crypto import key_from_secret

    FIELD_ENCRYPTION_KEY = key_from_secret(SECRET_KEY)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "channels",
    "anymail",
    "fcm_django",
    "axes",
    "campaignhub",
    "notifications",
    "campaigns",
    "callrail",
    "dialer",
    "crm",
    "invoca",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "campaignhub.static_files.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before CSRF, which reads a form body where a refusal of it would be Django's bare 400.
    "campaignhub.errors.UnreadableRequestMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # After the others, so it turns a login refused for a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Innermost, and sync only: under ASGI, Django runs the middleware inside the innermost
    # sync-only one in async mode, and each of those hops threads for its request and its
    # response. With this last, the whole chain runs on the request's thread.
    "campaignhub.tenancy.AccountMiddleware",
]
# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "campaignhub.urls"
ASGI_APPLICATION = "campaignhub.asgi.application"
AUTH_USER_MODEL = "campaignhub.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "campaignhub.tenancy.account_context",
                "campaignhub.navigation.navigation",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
    {
        # Plain-text templates (email bodies, SMS, push): no HTML escaping.
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"autoescape": False},
    },
]

# Production needs both DATABASE_URL and REDIS_URL (`check --deploy` fails without them).
DATABASE_URL = env("DATABASE_URL", default="")
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_POOL", default=True
):
    # psycopg's pool: under ASGI a request may run on any thread, so connections are pooled
    # per process rather than kept per thread (Django's advice for ASGI).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        "timeout": 10,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves requests (and runs tasks eagerly) on several threads. BEGIN
    # IMMEDIATE takes the write lock when a transaction starts, so two transactions never
    # deadlock trying to upgrade their read locks (which SQLite answers at once with "database
    # is locked"), and a writer waits up to 20 s for the lock: Django's advice for SQLite
    # under concurrent writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# The embedded default's cache (one process). It holds what must not be evicted while it
# matters: who is watching live (`campaignhub.live`: counts kept without expiry, one per account
# and per person) beside rate-limit windows. Django culls a local cache past MAX_ENTRIES (300
# by default): a count culled there reads as nobody watching and open pages silently stopped
# getting live updates. Redis does not cull (run it without an evicting maxmemory-policy).
EMBEDDED_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "OPTIONS": {"MAX_ENTRIES": 1_000_000},
}
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s timeout by default, and channels-redis waits for a
            # socket's next message with a 5 s BZPOPMIN: the read would time out first and drop
            # every idle socket (channels_redis issue 422). A longer read timeout lets the wait
            # end on its own, and still notices a Redis that stopped answering.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 15}]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Connections kept across requests, not opened once per request's thread.
            "OPTIONS": {"pool_class": "campaignhub.redis_pool.SharedConnectionPool"},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": EMBEDDED_CACHE}

# Celery: eager in the embedded default (exceptions propagate), a real broker when REDIS_URL is set.
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
# No result backend: every task records its outcome in the database (deliveries, uploads), and
# nothing reads Celery's results. Without one, queueing a task from a request's thread does not
# build a Redis result client first (about 1.5 ms a request under ASGI, where each request's
# sync code runs on a thread of its own).
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# One queue per kind of work, so alerts never wait behind a backlog of deliveries or bulk jobs:
# `intake` (processing stored webhook deliveries), `notifications` (sending alerts), `bulk`
# (dialer uploads, imports, exports), and Celery's default queue for the rest (sweepers).
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Celery's Django fixup closes the database (with PostgreSQL's pool: the whole pool) after every
# task of a prefork worker, a new connection per task (~20 ms). With this set, it does so every
# 2 x N tasks instead: the Procfile's workers use 100, so after a database outage a worker's
# broken connection is replaced within 200 tasks (which meanwhile fail as transient, and retry).
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=0) or None
# Workers keep our LOGGING (stdout, with secret paths redacted) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ROUTES = {
    "campaignhub.tasks.process_inbound_delivery": {"queue": "intake"},
    "notifications.tasks.send_delivery": {"queue": "notifications"},
    "*.tasks.bulk_*": {"queue": "bulk"},
}
# A worker started without `--queues` takes all of them (the embedded default, small setups).
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name)
    for name in ("celery", "intake", "notifications", "bulk")
]
CELERY_BEAT_SCHEDULE = {
    "requeue-received-deliveries": {
        "task": "campaignhub.tasks.requeue_received_deliveries",
        "schedule": 60.0,
    },
    "requeue-stalled-deliveries": {
        "task": "notifications.tasks.requeue_stalled_deliveries",
        "schedule": 300.0,
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Notifications. Each channel's backend is chosen like EMAIL_BACKEND; console ones print.
# Email goes through django-anymail for any ESP it supports, e.g.
# EMAIL_BACKEND=anymail.backends.postmark.EmailBackend ANYMAIL_POSTMARK_SERVER_TOKEN=…
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CampaignHub <no-reply@campaignhub.local>")
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_")
}
SMS_BACKEND = env("SMS_BACKEND", default="notifications.transports.sms.ConsoleBackend")
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_DEFAULT_FROM = env("TWILIO_DEFAULT_FROM", default="")
PUSH_BACKEND = env("PUSH_BACKEND", default="notifications.transports.push.ConsoleBackend")
FCM_CREDENTIALS_FILE = env("FCM_CREDENTIALS_FILE", default="")
FCM_DJANGO_SETTINGS = {"ONE_DEVICE_PER_USER": False, "DELETE_INACTIVE_DEVICES": False}
# Seconds before the first retry of a transient failure; doubles on each attempt.
NOTIFICATION_RETRY_BACKOFF = env.float("NOTIFICATION_RETRY_BACKOFF", default=30.0)

# Upstream APIs.
CALLRAIL_API_BASE = env("CALLRAIL_API_BASE", default="https://api.callrail.com/v3")
# The dialer a new connection proposes; each account keeps its own base URL.
DIALER_API_BASE = env("DIALER_API_BASE", default="")
# Dialer uploads left unsent: how often the sweeper looks (seconds), how long an upload waits
# without progress before a retry (seconds, doubling per retry), and retries before it fails.
DIALER_UPLOAD_SWEEP_SECONDS = env.float("DIALER_UPLOAD_SWEEP_SECONDS", default=300.0)
DIALER_UPLOAD_RETRY_BACKOFF = env.float("DIALER_UPLOAD_RETRY_BACKOFF", default=600.0)
DIALER_UPLOAD_MAX_RETRIES = env.int("DIALER_UPLOAD_MAX_RETRIES", default=5)
CELERY_BEAT_SCHEDULE["retry-stuck-dialer-uploads"] = {
    "task": "dialer.tasks.retry_stuck_uploads",
    "schedule": DIALER_UPLOAD_SWEEP_SECONDS,
}
# Invoca's host (a network's vanity `https://<network>.invoca.net`); paths add `/api/<version>/…`.
INVOCA_API_BASE = env("INVOCA_API_BASE", default="https://invoca.net")
# Invoca's Transactions API poll: how often (seconds; Invoca asks for 5 minutes or more), rows
# per page (at most 4000), pages per run (the next run goes on), and how long a run's claim on
# a connection lasts without a new page (seconds).
INVOCA_TRANSACTIONS_POLL_SECONDS = env.float("INVOCA_TRANSACTIONS_POLL_SECONDS", default=300.0)
INVOCA_TRANSACTIONS_PAGE_SIZE = env.int("INVOCA_TRANSACTIONS_PAGE_SIZE", default=1000)
INVOCA_TRANSACTIONS_MAX_PAGES = env.int("INVOCA_TRANSACTIONS_MAX_PAGES", default=10)
INVOCA_POLL_LEASE_SECONDS = env.int("INVOCA_POLL_LEASE_SECONDS", default=900)
# Sale signals sent back through Invoca's Signal API: tries per change before it fails.
INVOCA_SIGNAL_MAX_ATTEMPTS = env.int("INVOCA_SIGNAL_MAX_ATTEMPTS", default=6)
CELERY_BEAT_SCHEDULE["poll-invoca-transactions"] = {
    "task": "invoca.tasks.poll_all_transactions",
    "schedule": INVOCA_TRANSACTIONS_POLL_SECONDS,
}
CELERY_BEAT_SCHEDULE["requeue-invoca-sale-signals"] = {
    "task": "invoca.tasks.requeue_sale_signals",
    "schedule": 300.0,
}

# Inbound webhooks: bodies larger than this are refused before they are stored.
WEBHOOK_MAX_BODY_BYTES = env.int("WEBHOOK_MAX_BODY_BYTES", default=1024 * 1024)
# Deliveries that fail authentication, per endpoint per minute; valid ones are never limited.
WEBHOOK_RATE_LIMIT_PER_MINUTE = env.int("WEBHOOK_RATE_LIMIT_PER_MINUTE", default=600)
# How long a web process may reuse an endpoint's looked-up account and signing key.
WEBHOOK_TARGET_CACHE_SECONDS = env.int("WEBHOOK_TARGET_CACHE_SECONDS", default=30)
# Accept deliveries on pooled threads, which keep their broker and database state.
WEBHOOK_INTAKE_THREADS = env.bool("WEBHOOK_INTAKE_THREADS", default=True)
# A worker's claim on a delivery lapses after this many seconds (a worker that died).
WEBHOOK_CLAIM_LEASE_SECONDS = env.int("WEBHOOK_CLAIM_LEASE_SECONDS", default=300)
# Tries of a delivery that meets transient errors, and the first wait (doubles each time).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=5)
WEBHOOK_RETRY_BACKOFF = env.float("WEBHOOK_RETRY_BACKOFF", default=30.0)
# The rate limiter lets traffic through when the cache is down, never refuses it.
RATELIMIT_FAIL_OPEN = True
# Public lead forms: submissions per minute from one address to one form.
LEAD_FORM_RATE_LIMIT_PER_MINUTE = env.int("LEAD_FORM_RATE_LIMIT_PER_MINUTE", default=10)
# Public lead forms: at most this many fields per submission, each at most this many characters.
LEAD_FORM_MAX_FIELDS = env.int("LEAD_FORM_MAX_FIELDS", default=30)
LEAD_FORM_MAX_FIELD_CHARS = env.int("LEAD_FORM_MAX_FIELD_CHARS", default=5000)
# Members added or invited by email, per admin per account per minute (each may send an email).
MEMBER_INVITATION_RATE_LIMIT_PER_MINUTE = env.int(
    "MEMBER_INVITATION_RATE_LIMIT_PER_MINUTE", default=10
)
# Test alerts ("Send me a test" on the campaign form) per person per minute: each sends an
# email and an SMS.
TEST_ALERT_RATE_LIMIT_PER_MINUTE = env.int("TEST_ALERT_RATE_LIMIT_PER_MINUTE", default=5)
# An invitation to join an account can be accepted for this many days after it was sent.
INVITATION_EXPIRY_DAYS = env.int("INVITATION_EXPIRY_DAYS", default=14)

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        # Preloading commits the whole domain to HTTPS for browsers; the operator opts in.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Login throttling (django-axes): LOGIN_FAILURE_LIMIT failed logins for one account, or from one
# address, lock that account or address out for LOGIN_LOCKOUT_MINUTES. An admin unlocks sooner
# (admin "Access attempts", or `manage.py axes_reset_username <email>`).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "campaignhub.throttling.login_username"
AXES_LOCKOUT_CALLABLE = "campaignhub.throttling.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Password reset emails per hour, to one email address and from one client address.
PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR = env.int(
    "PASSWORD_RESET_LIMIT_PER_EMAIL_PER_HOUR", default=3
)
PASSWORD_RESET_LIMIT_PER_ADDRESS_PER_HOUR = env.int(
    "PASSWORD_RESET_LIMIT_PER_ADDRESS_PER_HOUR", default=20
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Secret URL segments (webhook tokens, form ids, reset links) never reach a log line.
    "filters": {
        "redact_secret_paths": {"()": "campaignhub.logs.RedactSecretPaths"},
        "quiet_expected_refusals": {"()": "campaignhub.logs.QuietExpectedRefusals"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secret_paths"],
        }
    },
    "root": {"handlers": ["stdout"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Their own handlers would print request paths unredacted: everything goes to stdout.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # A 403 is logged as one line, without the traceback Django attaches.
        "django.request": {"filters": ["quiet_expected_refusals"]},
        "uvicorn.access": {"handlers": ["stdout"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "twilio.http_client": {"level": "WARNING"},
    },
}
