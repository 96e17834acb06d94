"""Settings shared by every run mode; everything that differs comes from the environment."""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("CROWD_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-local-only-key")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served by the platform itself, so the docs work offline
    "axes",
    "accounts",
    "projects",
    "campaigns",
    "tasks",
    "results",
    "reports",
    "worker",
    "demo",
    "compat.swarms",
    "corsheaders",
]

MIDDLEWARE = [
    # X-Request-ID and X-API-Version on every /swarms/ response, CORS preflights included.
    "compat.swarms.middleware.SwarmsConventionsMiddleware",
    # CORS for the Swarms API only (CORS_URLS_REGEX), before anything that could answer first.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crowdplatform.middleware.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it turns a locked-out login into its answer (accounts.lockout.lockout_response).
    "axes.middleware.AxesMiddleware",
]

# Password logins are locked out per account and per client address (docs/security.md).
AUTHENTICATION_BACKENDS = [
    "accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "crowdplatform.urls"
WSGI_APPLICATION = "crowdplatform.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Many web and worker threads share one file in the quick start: wait for the write lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Mounted under a path prefix (https://host/crowd/...): CROWD_PATH_PREFIX=/crowd. The proxy (or gunicorn's
# SCRIPT_NAME) passes the path below the prefix; every URL the platform writes, static files included,
# carries the prefix.
PATH_PREFIX = os.environ.get("CROWD_PATH_PREFIX", "").rstrip("/")
FORCE_SCRIPT_NAME = PATH_PREFIX or None
STATIC_URL = f"{PATH_PREFIX}/static/"
STATIC_ROOT = VAR_DIR / "static"
# The quick-start demo's pictures (demo/image_contains.csv points at /static/demo/...).
STATICFILES_DIRS = [("demo", BASE_DIR / "demo" / "images")]
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# Uploaded media (component media, recordings, drawings) go through STORAGES["default"]: the file system
# under MEDIA_ROOT unless CROWD_MEDIA_STORAGE names another storage class (a django-storages backend such
# as storages.backends.s3.S3Storage) with its options as JSON in CROWD_MEDIA_STORAGE_OPTIONS.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("CROWD_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("CROWD_MEDIA_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The largest file one upload may hold, and the content types (found in the file's bytes) it may have.
CROWD_MEDIA_MAX_BYTES = int(os.environ.get("CROWD_MEDIA_MAX_BYTES", str(50 * 1024 * 1024)))
CROWD_MEDIA_TYPES = [
    t
    for t in os.environ.get(
        "CROWD_MEDIA_TYPES",
        "image/png,image/jpeg,image/gif,image/webp,audio/aac,audio/mp4,audio/mpeg,audio/ogg,audio/x-wav,"
        "video/mp4,video/webm,video/quicktime",
    ).split(",")
    if t
]

LOGIN_URL = "worker:login"
LOGIN_REDIRECT_URL = "worker:home"

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["CACHE_URL"]}
        if os.environ.get("CACHE_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["crowdplatform.api.renderers.EnvelopeRenderer"],
    "DEFAULT_METADATA_CLASS": "crowdplatform.api.metadata.RouteMetadata",
    "DEFAULT_PARSER_CLASSES": [
        "crowdplatform.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "EXCEPTION_HANDLER": "crowdplatform.api.errors.native_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "crowdplatform.api.pagination.NativePagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Crowdplatform API",
    "DESCRIPTION": "Native API of Crowdplatform (OrderlyWeb conventions: envelope, scoped permissions).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from the online validator: the docs ask nothing of any other host.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "crowdplatform.api.schema.native_error_responses",
        "crowdplatform.api.schema.native_success_envelopes",
        "crowdplatform.api.schema.request_rules",
    ],
    # Request bodies are described as JSON (CSV where a view takes it): forms and multipart are still read,
    # but cannot say null, a number or an object, so a schema offering them would promise what they cannot.
    "PARSER_WHITELIST": ["crowdplatform.api.parsers.JSONParser", "crowdplatform.api.parsers.CsvParser"],
    # Path ids are crowdplatform.converters' <id:...> (a bigint) and names its <name:...> (no NUL).
    "PATH_CONVERTER_OVERRIDES": {
        "id": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
        "name": {"type": "string", "pattern": "^[^/\\u0000]+$"},
    },
    "ENUM_NAME_OVERRIDES": {
        "CampaignStateEnum": "campaigns.models.CampaignState",
        "AssignmentStateEnum": "results.models.AssignmentState",
        "LedgerEntryKindEnum": "accounts.models.LedgerEntry.Kind",
        "ApiTokenKindEnum": "accounts.models.ApiToken.Kind",
    },
}

# Platform rules
# Hot-path statements are prepared once per PostgreSQL session (crowdplatform.sqlrows); turn off behind a
# pool that shares sessions between clients, such as PgBouncer in transaction mode.
CROWD_PREPARED_STATEMENTS = env_bool("CROWD_PREPARED_STATEMENTS", True)
# Seconds after which a session drops its plans (DISCARD PLANS) to make them again for the tables' size.
CROWD_PREPARED_STATEMENTS_REPLAN = float(os.environ.get("CROWD_PREPARED_STATEMENTS_REPLAN", "10"))
CROWD_CURRENCY = os.environ.get("CROWD_CURRENCY", "EUR")
CROWD_LOGIN_TOKEN_TTL = timedelta(seconds=int(os.environ.get("CROWD_LOGIN_TOKEN_TTL", "3600")))
CROWD_LOGIN_FAILURES_ALLOWED = int(os.environ.get("CROWD_LOGIN_FAILURES_ALLOWED", "10"))
CROWD_LOGIN_FAILURE_WINDOW = int(os.environ.get("CROWD_LOGIN_FAILURE_WINDOW", "300"))
# The same numbers for password logins: this many failures of one account, or from one address, within
# the window lock that account or address out until the window has passed since its last failure.
AXES_FAILURE_LIMIT = CROWD_LOGIN_FAILURES_ALLOWED
AXES_COOLOFF_TIME = timedelta(seconds=CROWD_LOGIN_FAILURE_WINDOW)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Guesses during a lockout do not prolong it, so Retry-After holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
CROWD_COMMISSION_RATE = os.environ.get("CROWD_COMMISSION_RATE", "0.20")  # default share on top of payments
CROWD_OVERTURN_WINDOW = timedelta(seconds=int(os.environ.get("CROWD_OVERTURN_WINDOW", str(7 * 24 * 3600))))

# A CSV import of at least this many records is stored in blocks and answered before its task rows are
# written (PostgreSQL only; see tasks.staging). 0 stages every CSV import.
TASKS_STAGE_MIN_RECORDS = int(os.environ.get("CROWD_TASKS_STAGE_MIN_RECORDS", "20000"))

# Celery: Redis in production, an embedded file-system broker in the quick start.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
_broker_dir = VAR_DIR / "broker"


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's file-system transport with every file it writes under ``folder`` (it would otherwise keep
    its exchange tables in a ``control`` folder wherever the worker was started)."""
    return {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "processed_folder": str(folder),
        "control_folder": str(folder / "control"),
    }


CELERY_BROKER_TRANSPORT_OPTIONS = (
    filesystem_broker_options(_broker_dir) if CELERY_BROKER_URL.startswith("filesystem") else {}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    # The file-system transport expects its folder to exist.
    _broker_dir.mkdir(parents=True, exist_ok=True)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "expire-assignments": {"task": "results.tasks.sweep_expire_assignments", "schedule": 30.0},
    "auto-approve-results": {"task": "results.tasks.sweep_auto_approve", "schedule": 60.0},
    "close-redo-windows": {"task": "results.tasks.sweep_close_redo_windows", "schedule": 60.0},
    "start-campaigns": {"task": "campaigns.tasks.sweep_start_campaigns", "schedule": 30.0},
    "finish-campaigns": {"task": "campaigns.tasks.sweep_finish_campaigns", "schedule": 60.0},
    "write-staged-tasks": {"task": "tasks.tasks.sweep_write_staged_tasks", "schedule": 30.0},
    "sweep-report-runs": {"task": "reports.tasks.sweep_report_runs", "schedule": 60.0},
    "purge-unreferenced-media": {"task": "tasks.tasks.sweep_purge_unreferenced_media", "schedule": 3600.0},
}

# Reports: a running report whose heartbeat is older than this (seconds) lost its worker (orphan).
CROWD_REPORT_ORPHAN_AFTER = int(os.environ.get("CROWD_REPORT_ORPHAN_AFTER", "120"))
# How often (seconds) a running report beats its heart and looks for a kill request.
CROWD_REPORT_HEARTBEAT = float(os.environ.get("CROWD_REPORT_HEARTBEAT", "5"))
# The largest file a completed report bundle may carry (uncompressed bytes).
CROWD_REPORT_BUNDLE_MAX_FILE = int(os.environ.get("CROWD_REPORT_BUNDLE_MAX_FILE", str(512 * 1024 * 1024)))
# Report kinds beyond the built-in ones, as dotted paths to ``ReportKind`` objects.
CROWD_REPORT_EXTRA_KINDS = [k for k in os.environ.get("CROWD_REPORT_EXTRA_KINDS", "").split(",") if k]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The Swarms API (compat/swarms): browsers may call it from these origins (comma-separated), and only it.
CORS_ALLOWED_ORIGINS = [o for o in os.environ.get("CROWD_SWARMS_CORS_ORIGINS", "").split(",") if o]
CORS_URLS_REGEX = r"^/swarms/.*$"
CORS_ALLOW_HEADERS = ("accept", "content-type", "x-auth-token", "x-api-version", "x-request-id")
CORS_EXPOSE_HEADERS = ("x-request-id", "x-api-version")
