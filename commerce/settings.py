"""Django settings. Everything a deployment changes comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", default=True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-secret-key-change-me"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "*").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "oauth2_provider",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "commerce",
    "inventory",
    # SKU lists (catalog.md): between the SKUs and the markets' promotions that point at them.
    "catalog",
    "markets",
    "orders",
    # After-sale returns, above orders (aftersale.md §3).
    "returns",
    # Operators' bulk jobs (bulk.md): they write every app's records through its services.
    "bulk",
    # Above every app, imported by none: the demo shop (seed_demo) and the bench data set.
    "demo",
    "bench",
]

MIDDLEWARE = [
    "commerce.error_pages.JsonErrorsMiddleware",  # outermost: sees every error answer
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "commerce.middleware.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "commerce.urls"
CSRF_FAILURE_VIEW = "commerce.error_pages.csrf_failure"
WSGI_APPLICATION = "commerce.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# SQLite file by default (zero configuration); PostgreSQL by DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}

# How long a request may keep the database busy (limits.md section 1); on PostgreSQL 0 turns
# one off.
# - DB_STATEMENT_TIMEOUT_MS (PostgreSQL, default 10 s): a longer statement is cancelled and the
#   request answers 503 SERVICE_UNAVAILABLE (commerce/jsonapi/errors.py).
# - DB_LOCK_TIMEOUT_MS: the longest wait for a lock, then 409 CONFLICT. PostgreSQL's lock_timeout
#   (default 5 s: a row lock) or SQLite's busy timeout (default 20 s: SQLite locks the whole
#   database, so a writer waits for every writer ahead of it).
# On PostgreSQL both are connection options (libpq `options`), so they cost no statement per
# request. Management commands other than runserver (migrate on a big table, seed_demo, the
# webhook worker) run without them: manage.py sets DB_TIMEOUTS=off for them, as it may be set
# for any process that must not be cut short.
DB_TIMEOUTS = os.environ.get("DB_TIMEOUTS", "on").strip().lower() not in {"0", "off", "false", "no"}
_sqlite = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "10000"))
DB_LOCK_TIMEOUT_MS = int(os.environ.get("DB_LOCK_TIMEOUT_MS", "20000" if _sqlite else "5000"))
if _sqlite:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # BEGIN IMMEDIATE: a transaction takes the write lock when it starts, so concurrent writers
    # wait their turn (the busy timeout) instead of failing at once with "database is locked"
    # when a read lock cannot be upgraded (what four simultaneous checkouts used to hit).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=DB_LOCK_TIMEOUT_MS / 1000
    )
elif DB_TIMEOUTS and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    # Options already in DATABASE_URL (`?options=...`) come after ours, so they win.
    _options["options"] = (
        f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS} -c lock_timeout={DB_LOCK_TIMEOUT_MS} "
        + _options.get("options", "")
    ).strip()

# Prepared statements (PostgreSQL): a statement a connection runs more than
# DB_PREPARE_THRESHOLD times is parsed and planned once and then only executed (psycopg's
# automatic preparation; it needs server-side parameter binding). Half of PostgreSQL's CPU in a
# checkout was parsing and planning the same statements again. Behind a PgBouncer in
# transaction pooling mode a prepared statement may land on another server connection: set
# DB_PREPARED_STATEMENTS=off there (client-side binding, nothing prepared). A migration that
# changes a column's type can fail a statement prepared before it ("cached plan must not change
# result type") until the connection is renewed: restart the app servers after such migrations.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", default=True)
DB_PREPARE_THRESHOLD = int(os.environ.get("DB_PREPARE_THRESHOLD", "2"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and DB_PREPARED_STATEMENTS:
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=DB_PREPARE_THRESHOLD
    )

# The app server's garbage collector (commerce/wsgi.py): after loading, what Django and the app
# hold is frozen out of every collection, and the youngest generation is collected after
# GC_THRESHOLD new container objects instead of Python's 700. A page of 25 orders makes some
# 60 000 objects; with Python's defaults its collections, older generations included, took
# ~25% of its CPU. 0 keeps Python's defaults.
GC_THRESHOLD = int(os.environ.get("GC_THRESHOLD", "10000"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Request bodies over 1 MB are answered 413 by BodySizeLimitMiddleware.
MAX_REQUEST_BODY_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BODY_BYTES
# POST /api/imports: 10 000 records of a few hundred bytes each (commerce/middleware.py).
MAX_IMPORT_BODY_BYTES = 16 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["commerce.auth.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["commerce.jsonapi.permissions.ResourcePermission"],
    "DEFAULT_RENDERER_CLASSES": ["commerce.jsonapi.renderers.JSONAPIRenderer"],
    "DEFAULT_PARSER_CLASSES": ["commerce.jsonapi.parsers.JSONAPIParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "commerce.jsonapi.negotiation.JSONAPIContentNegotiation",
    "EXCEPTION_HANDLER": "commerce.jsonapi.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": ["commerce.throttling.ApiClientRateThrottle"],
}

# Rate limits per API client (commerce/throttling.py), in the spirit of Commerce Layer's; the
# counters and the other limits: the rate-limits block below.
API_THROTTLE_ENABLED = env_bool("API_THROTTLE_ENABLED", default=True)
API_THROTTLE_RATES = {
    "read": os.environ.get("API_THROTTLE_READ", "1000/min"),
    "write": os.environ.get("API_THROTTLE_WRITE", "200/min"),
}

# Redis when REDIS_URL is set (it also holds the rate-limit counters), else the database, so that
# every worker and machine sees the same numbers. `migrate` creates the cache table.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "commerce_cache",
        }
    }

# --- rate limits (limits.md §6: commerce/ratelimit.py, commerce/throttling.py) ---------------
# Rates are "<count>/<period>", the period a unit (s, min, h, day) with an optional multiplier:
# "1000/min", "10/15min". API_THROTTLE_ENABLED (above) switches every limit on or off.
# /oauth/token: requests per client id and caller IP.
OAUTH_TOKEN_RATE = os.environ.get("OAUTH_TOKEN_RATE", "30/min")
# Password grant: attempts that got no token, per username and caller IP (past it, that username
# is refused from that IP whatever the password), and per username from anywhere (a ceiling
# against attacks spread over many addresses).
PASSWORD_FAILURES_PER_IP_RATE = os.environ.get("PASSWORD_FAILURES_PER_IP_RATE", "10/15min")
PASSWORD_FAILURES_RATE = os.environ.get("PASSWORD_FAILURES_RATE", "100/15min")
# The caller's IP is REMOTE_ADDR, unless the proxies in front are trusted, then it is read from
# X-Forwarded-For behind them (commerce/client_ip.py). Either the number of proxy hops to trust
# ("1": one TLS proxy or load balancer in front, whatever its address), or a comma-separated
# list of proxy addresses and networks ("10.0.0.0/8,192.0.2.7"). Empty: trust no header.
TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")
# Behind those proxies (a TLS proxy in front), the scheme is the one the client used, as the
# proxy says in X-Forwarded-Proto: the documents' links, the signed download links of exports
# and the front door's curl line are https:// as the client sees them. The proxy must set that
# header itself (Caddy does; nginx: `proxy_set_header X-Forwarded-Proto $scheme`).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
# Prefix of the counters' keys (deployments sharing one Redis database need their own).
RATE_LIMIT_KEY_PREFIX = os.environ.get("RATE_LIMIT_KEY_PREFIX", "ratelimit")
# --- end rate limits ---------------------------------------------------------------------------

# Browsers: headless storefronts on other origins (comma-separated list of origins).
CORS_ALLOWED_ORIGINS = [o for o in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",") if o]
CORS_URLS_REGEX = r"^/(api|oauth)/.*$"
CORS_ALLOW_HEADERS = [
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "cache-control",
    "pragma",
    "user-agent",
]
CORS_EXPOSE_HEADERS = [
    "X-Ratelimit-Limit",
    "X-Ratelimit-Interval",
    "X-Ratelimit-Remaining",
    "Retry-After",
]

# Commerce Layer dialect settings (api.md).
API_PAGE_SIZE_DEFAULT = 10
API_PAGE_SIZE_MAX = 25
COMMERCE_MODE = os.environ.get("COMMERCE_MODE", "test")
ORGANIZATION_ID = os.environ.get("ORGANIZATION_ID", "JxYabZKcAw")
ORGANIZATION_SLUG = os.environ.get("ORGANIZATION_SLUG", "demo-store")
ORGANIZATION_NAME = os.environ.get("ORGANIZATION_NAME", "Demo Store")
# The token's `iss` is https://auth.<API_DOMAIN>; the SDK derives its API host from it.
API_DOMAIN = os.environ.get("API_DOMAIN", "commerce.localhost")

# Tokens (auth.md): HS256 with JWT_SIGNING_KEY, RS256 when JWT_PRIVATE_KEY is set.
JWT_SIGNING_KEY = os.environ.get("JWT_SIGNING_KEY", "")
JWT_PRIVATE_KEY = os.environ.get("JWT_PRIVATE_KEY", "")
JWT_PUBLIC_KEY = os.environ.get("JWT_PUBLIC_KEY", "")
if not (JWT_SIGNING_KEY or JWT_PRIVATE_KEY):
    if not DEBUG:
        raise ImproperlyConfigured(
            "JWT_SIGNING_KEY (or JWT_PRIVATE_KEY) must be set when DEBUG is off: "
            "every app server must sign tokens with the same key."
        )
    JWT_SIGNING_KEY = "dev-jwt-key-derived-from-" + SECRET_KEY
ACCESS_TOKEN_EXPIRE_SECONDS = int(os.environ.get("ACCESS_TOKEN_EXPIRE_SECONDS", "7200"))
REFRESH_TOKEN_EXPIRE_SECONDS = int(os.environ.get("REFRESH_TOKEN_EXPIRE_SECONDS", str(14 * 86400)))

OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": ACCESS_TOKEN_EXPIRE_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": REFRESH_TOKEN_EXPIRE_SECONDS,
    "PKCE_REQUIRED": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Commerce API (Commerce Layer dialect)",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Webhooks (commerce/webhooks): task queue, retries, circuit breaker, SSRF guard ----------
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "commerce.webhooks"]
# Django's Tasks API (django-tasks backport) on a database queue: `make worker` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Callback URLs on loopback/private/link-local hosts are refused unless this is set (tests, dev).
WEBHOOK_ALLOW_PRIVATE_URLS = env_bool("WEBHOOK_ALLOW_PRIVATE_URLS")
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
# Retry n waits BASE * 2**(n-1) seconds, at most MAX; a delivery is given up after MAX_ATTEMPTS.
WEBHOOK_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "15"))
WEBHOOK_RETRY_MAX_SECONDS = float(os.environ.get("WEBHOOK_RETRY_MAX_SECONDS", "3600"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "25"))
# Consecutive failures that open a webhook's circuit (it stops sending until reset).
WEBHOOK_CIRCUIT_THRESHOLD = int(os.environ.get("WEBHOOK_CIRCUIT_THRESHOLD", "30"))
# A worker holds a delivery this long (> the timeout); then another worker may take it over.
WEBHOOK_LEASE_SECONDS = float(os.environ.get("WEBHOOK_LEASE_SECONDS", "120"))
# The sweeper re-enqueues deliveries due for longer than this since their task was enqueued.
WEBHOOK_SWEEP_GRACE_SECONDS = float(os.environ.get("WEBHOOK_SWEEP_GRACE_SECONDS", "60"))
# django-tasks keeps a row per task run; the sweeper deletes finished ones older than this
# (deliveries and event callbacks are the record kept).
WEBHOOK_TASK_RESULTS_DAYS = float(os.environ.get("WEBHOOK_TASK_RESULTS_DAYS", "1"))
# Links inside webhook payloads (`links.self` ...) point here.
WEBHOOK_API_BASE_URL = os.environ.get("WEBHOOK_API_BASE_URL", "http://127.0.0.1:8000")
# --- end webhooks ------------------------------------------------------------------------------

# --- bulk jobs (bulk.md "Jobs", bulk/runner.py) ------------------------------------------------
# Jobs of one kind running at once (CL's limit); more wait pending in creation order.
BULK_MAX_RUNNING_JOBS = int(os.environ.get("BULK_MAX_RUNNING_JOBS", "10"))
# A worker holds a chunk this long; then another worker may take it over (sweep_jobs).
BULK_LEASE_SECONDS = float(os.environ.get("BULK_LEASE_SECONDS", "600"))
# sweep_jobs re-enqueues chunks still pending this long after they were planned (a lost task).
BULK_SWEEP_GRACE_SECONDS = float(os.environ.get("BULK_SWEEP_GRACE_SECONDS", "60"))
# Records changed by imports record their own events (`skus.create`...) only when this is on.
IMPORTS_TRIGGER_WEBHOOKS = env_bool("IMPORTS_TRIGGER_WEBHOOKS")

# --- payment gateways (payments.md) ------------------------------------------------------------
# Stripe's API base for the official library; tests and local development point it at a fake on
# loopback (trusted: no SSRF guard).
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
# The whole of one gateway operation, the library's network retries included.
PAYMENT_GATEWAY_TIMEOUT_SECONDS = float(os.environ.get("PAYMENT_GATEWAY_TIMEOUT_SECONDS", "8"))
# Calls without an answer that open an external gateway's circuit (it fails at once until reset).
EXTERNAL_GATEWAY_CIRCUIT_THRESHOLD = int(os.environ.get("EXTERNAL_GATEWAY_CIRCUIT_THRESHOLD", "30"))

# --- bench (make bench) ------------------------------------------------------------------------
# BENCH=1 adds an X-SQL-Statements header and a plain-DRF baseline URL (/bench/plain-orders).
# Only scripts/bench.sh sets it.
BENCH = env_bool("BENCH", default=False)
if BENCH:
    MIDDLEWARE.insert(0, "bench.middleware.SqlCountMiddleware")
# --- end bench ---------------------------------------------------------------------------------
