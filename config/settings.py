"""One settings module, read from the environment, with defaults that need nothing.

No variables: SQLite file in the project folder, Celery tasks run in-process, DEBUG on,
e-mail printed to the console. DJANGO_ENV=production turns on the hardened settings and
requires SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_database_url, env_int, env_list, env_required, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_str("DJANGO_ENV") == "production"

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        env_required("ALLOWED_HOSTS")
    DEBUG = False
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    DEBUG = env_bool("DEBUG", True)

INSTALLED_APPS = [
    # Django's admin on our site: changelists filter only by what they declare.
    "config.admin.CRMAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    # Counts failed sign-ins and locks the account or address out (before customers: its
    # failed-login receiver reads whether axes has just locked the request out).
    "axes",
    "accounts",
    "customers",
    "archives",
    # Consent and the person's rights (PIPL); followups asks it about marketing consent.
    "privacy",
    # tiers before followups and loyalty: their demo data and jobs read the grades.
    "tiers",
    "followups",
    "loyalty",
    # Two-factor sign-in: django-otp's authenticator (TOTP) and recovery-code (static)
    # devices; twofactor after them, as it takes their device models out of the admin.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "twofactor",
    # Getting data in and out: spreadsheet imports, the REST API (Django REST Framework,
    # its OpenAPI schema by drf-spectacular, the docs' JavaScript served from our own
    # static files by the sidecar) and signed webhooks to other systems.
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "imports",
    "api",
    "webhooks",
    # Celery beat's schedule in the database (config/beat.py says why), and the
    # operations commands: backup, restore.
    "django_celery_beat",
    "ops",
    # The home page of each role: the top floor, reading the other apps' selectors.
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.NoStoreForSignedInMiddleware",
    "config.middleware.DefaultLanguageMiddleware",
    # The API answers in the caller's Accept-Language (pages follow the cookie).
    "api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the password step, nothing but the code (or set-up) page until it is passed.
    "twofactor.gate.TwoFactorMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "customers.audit.AuditOriginMiddleware",
    # Turns a sign-in that axes refused into our lockout page (last, as axes asks).
    "axes.middleware.AxesMiddleware",
]

if PRODUCTION:
    # Serves the collected static files from gunicorn; in development Django does it.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "accounts.context_processors.roles",
                "customers.context_processors.custody",
            ],
        },
    },
]

# --- Database: SQLite file by default, PostgreSQL when DATABASE_URL is set -------------
# In production DATABASE_URL is required, with its password (config/env.py).
DATABASES = {
    "default": dj_database_url.parse(
        env_database_url(
            "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", production=PRODUCTION
        ),
        conn_max_age=env_int("CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a job writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The one-time link a new member of staff sets their password with (and any reset link):
# a day, not Django's three, so a link left in a mailbox goes stale soon.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# axes' backend first: it refuses a locked-out account or address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's password check, for people only: service accounts (API tokens) are
    # refused at every browser door.
    "accounts.backends.PeopleOnlyBackend",
]

# --- Sign-in lockout (django-axes) -------------------------------------------------------
# After LOGIN_FAILURE_LIMIT failed sign-ins within LOGIN_LOCKOUT_MINUTES, the username is
# locked (from every address) and so is the address (for every username), on the product
# login and the admin login alike, until the minutes pass or a manager unlocks it
# (Staff → Locked sign-ins). A success does not wipe earlier failures: an insider could
# otherwise reset the count between guesses by signing in to their own account.
AXES_ENABLED = env_bool("LOGIN_LOCKOUT_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = False
# The same client address the audit log records (AUDIT_TRUST_X_FORWARDED_FOR below).
AXES_CLIENT_IP_CALLABLE = "customers.audit.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Unlocking goes through the managers' page, which audits it; axes' own admin would not.
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# --- Sessions ----------------------------------------------------------------------------
# A session ends after a working day without a request (every request restarts the clock)
# and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 9 * 60 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)

# --- Two-factor sign-in (django-otp) ------------------------------------------------------
# Who must use it is the custody policy's (CustodyPolicy.two_factor_roles, in the admin).
# The name an authenticator app shows beside the code:
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Travel CRM")
# Wrong codes double the wait before the next try (1, 2, 4, 8 … seconds, per device).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- Language and time -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Business archive documents ---------------------------------------------------------
# Kept outside MEDIA_ROOT and STATIC_ROOT and never served by URL: only the archives
# download view reads them, after checking who asks, and it writes an audit entry.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
ARCHIVE_MAX_UPLOAD_BYTES = env_int("ARCHIVE_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# The most spreadsheet data one import reads: a CSV's size, an XLSX's size once unpacked
# (python-calamine holds the chosen sheet in memory, about 1.6 bytes per unpacked byte).
# 400 MB is about 500,000 bookings of 16 columns; bigger files are split and imported in
# parts. It bounds the memory of the web request that opens the file and of the worker.
IMPORT_MAX_DATA_BYTES = env_int("IMPORT_MAX_DATA_BYTES", 400 * 1024 * 1024)
# Where `manage.py backup` writes its archives (database + documents + manifest).
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backups")))

# Admin history pages only read: no "Revert" (customers/admin_history.py also refuses any
# POST); restoring and deleting go through the services that check, guard and audit.
SIMPLE_HISTORY_REVERT_DISABLED = True

# List filters read "Any" (不限) when nothing is chosen, not a row of dashes.
FILTERS_EMPTY_CHOICE_LABEL = _("Any")

# Django's form renderer with <input>, <textarea> and <select> written in Python, the same
# markup (config/form_renderer.py): a page of filters renders in a third of the CPU.
FORM_RENDERER = "config.form_renderer.FastWidgetRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail ----------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
# STARTTLS on a submission port (587), or implicit TLS (465): one or the other.
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "crm@example.com")
# The sender of error reports to ADMINS (none by default).
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
# Seconds a mail server may take per step (connect, each command): one that accepts the
# connection and never answers must not pin the worker or the page that sends.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# --- Outbox (customers/services/outbox.py): every message the product sends ------------
# A failed send is tried again after 1, 2, 4 … minutes, at most 4 hours apart; after
# OUTBOX_MAX_ATTEMPTS (13: about a day) it is failed and shown to managers.
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 13)
OUTBOX_BACKOFF_BASE_SECONDS = env_int("OUTBOX_BACKOFF_BASE_SECONDS", 60)
OUTBOX_BACKOFF_MAX_SECONDS = env_int("OUTBOX_BACKOFF_MAX_SECONDS", 4 * 3600)
# Sent and failed messages stay on the managers' page this many days.
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 90)

# --- Cache: shared by every web process when CACHE_URL names a Redis database ----------
# The API's per-token rate limits count here: in each process's memory they would allow
# a token the limit once per gunicorn worker. Without CACHE_URL (one `make run` process)
# the local memory cache is right.
CACHE_URL = env_str("CACHE_URL")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "TIMEOUT": 300,
        }
    }

# --- Celery: in-process (eager) unless a broker is configured ---------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", env_str("REDIS_URL"))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A worker process killed mid-task (OOM, deploy) puts its message back instead of acking
# it: the task runs again, and the job's claim row makes the rerun do the period once.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Every task has a soft limit (SoftTimeLimitExceeded: the job's transaction rolls back,
# its attempt is recorded as failed) and a hard one (the process is killed). These are
# the defaults; the long jobs set their own in their tasks.py (the longest: 30 minutes,
# an import). customers.job_tasks holds the deadline check.
CELERY_TASK_SOFT_TIME_LIMIT = 5 * 60
CELERY_TASK_TIME_LIMIT = 6 * 60
CELERY_IMPORTS = ["customers.job_tasks"]
# Redis hands an unacknowledged message to another worker after the visibility timeout:
# it must be longer than the longest hard limit (30 minutes), or a running job would be
# started a second time; shorter is better, as a worker killed outright (not just its
# child process) gets its message back only then. 40 minutes.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 40 * 60)
}
# Beat keeps the schedule declared in config/celery.py in the database (config/beat.py),
# so when each job last fired survives a redeploy.
CELERY_BEAT_SCHEDULER = "config.beat:CodeDeclaredDatabaseScheduler"

# --- Webhooks (webhooks/safety.py, webhooks/services/sending.py) ------------------------
# Plain HTTP to a loopback receiver: in development (DEBUG) or with this switch (the
# tests' receiver on 127.0.0.1); never in production, where only public HTTPS is sent to.
WEBHOOKS_ALLOW_HTTP_LOOPBACK = not PRODUCTION and env_bool("WEBHOOKS_ALLOW_HTTP_LOOPBACK", False)
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 8)
WEBHOOKS_BACKOFF_BASE_SECONDS = env_int("WEBHOOKS_BACKOFF_BASE_SECONDS", 60)
WEBHOOKS_CONNECT_TIMEOUT = env_int("WEBHOOKS_CONNECT_TIMEOUT", 3)
WEBHOOKS_READ_TIMEOUT = env_int("WEBHOOKS_READ_TIMEOUT", 10)
# Queue the sending as each change commits (with a broker). Without one, tasks would run
# inside the request that made the change; the sweep (`manage.py send_webhooks`) sends.
WEBHOOKS_SEND_ON_COMMIT = env_bool("WEBHOOKS_SEND_ON_COMMIT", not CELERY_TASK_ALWAYS_EAGER)
# Delivered and failed deliveries stay in the log this many days.
WEBHOOKS_KEEP_DAYS = env_int("WEBHOOKS_KEEP_DAYS", 90)

# --- ID numbers encrypted at rest (customers/id_numbers.py) ------------------------------
# AES-GCM keys, `key_id:base64(32 bytes)`, comma-separated, the current key first; and the
# blind-index (HMAC) key. Outside production an embedded development key stands in; in
# production nothing does (`check --deploy` reports it, and ID numbers cannot be read).
# The development keys are public (they are in this file): `check --deploy` refuses them.
DEVELOPMENT_ID_NUMBER_KEY = "ZGV2LW9ubHktaWQtbnVtYmVyLWtleS0wMDAwMDAwMDA="
DEVELOPMENT_ID_NUMBER_INDEX_KEY = "ZGV2LW9ubHktaWQtaW5kZXgta2V5LTAwMDAwMDAwMDA="
ID_NUMBER_KEYS = env_str("ID_NUMBER_KEYS", "" if PRODUCTION else f"dev:{DEVELOPMENT_ID_NUMBER_KEY}")
ID_NUMBER_INDEX_KEY = env_str(
    "ID_NUMBER_INDEX_KEY", "" if PRODUCTION else DEVELOPMENT_ID_NUMBER_INDEX_KEY
)

# --- Security --------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
    # healthz is probed over plain HTTP inside the compose network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/(broker/)?$"]

# Content-Security-Policy (django-csp 4): scripts and styles only from our own static
# files, no inline script or style, no framing, forms post only to us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # One inline style attribute is allowed by its hash: django-simple-history's admin
        # history page writes <p class="paginator" style="border-top: 0">.
        "style-src-attr": [
            "'unsafe-hashes'",
            "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",
        ],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}

# Audit entries record the client address; behind a reverse proxy that sets
# X-Forwarded-For, trust its first hop (never when the app is reachable directly).
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR", False)
# How many proxies of ours stand in front of the app: each appends the address it saw to
# X-Forwarded-For, so the client is that many hops from the right. Anything further left
# was written by the client and is not believed (it could dodge the lockout by address).
AUDIT_TRUSTED_PROXY_COUNT = max(1, env_int("AUDIT_TRUSTED_PROXY_COUNT", 1))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # axes logs every sign-in at INFO; the audit log already records them.
        "axes": {"level": "WARNING"},
    },
}

# --- The REST API (/api/v1/, api app) ---------------------------------------------------
# Tokens only (Authorization: Bearer), no session: a browser's cookie never opens the API,
# so the API needs no CSRF, and pages keep theirs. Errors are RFC 9457 problem details.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenHasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env_str("API_RATE_PER_TOKEN", "600/minute")},
    "DEFAULT_PAGINATION_CLASS": "api.pagination.ApiCursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Travel CRM API",
    "DESCRIPTION": (
        "Customers, contact people, bookings, records, follow-ups, points and grades for "
        "the agency's other systems. Every request carries a token (Authorization: Bearer "
        "crm_…) with scopes; it sees exactly what its user sees. Errors are RFC 9457 "
        "problem details (application/problem+json) in the language of Accept-Language."
    ),
    "VERSION": "1",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # Several resources have a `status`: each choice set gets its own stable name.
    "ENUM_NAME_OVERRIDES": {
        "CustomerKindEnum": "customers.models.choices.CustomerKind",
        "CustomerStatusEnum": "customers.models.choices.CustomerStatus",
        "BookingStatusEnum": "customers.models.choices.BookingStatus",
        "ServiceStatusEnum": "customers.models.choices.ServiceStatus",
        # The bookings, records, follow-ups, points and grades resources (api-resources).
        "ContactOutcomeEnum": "customers.models.choices.ContactOutcome",
        "ServiceKindEnum": "customers.models.choices.ServiceKind",
        "FeedbackSourceEnum": "customers.models.choices.FeedbackSource",
        "SourceChannelEnum": "customers.models.choices.SourceChannel",
        "GradeEnum": "customers.models.choices.Grade",
        "FollowupKindEnum": "followups.models.choices.FollowupKind",
        "LedgerEntryKindEnum": "loyalty.models.choices.EntryKind",
        "RewardKindEnum": "loyalty.models.choices.RewardKind",
        "SyncOutcomeEnum": ["created", "updated", "unchanged"],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.problems.add_problem_responses",
    ],
    # The docs page (api/docs.html) loads Swagger UI from our static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Product labels shown in the navigation bar.
SITE_TITLE = _("Travel CRM")
