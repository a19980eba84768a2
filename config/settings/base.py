"""Settings shared by every environment, read from environment variables.

With no variable set the site runs on a SQLite file with in-process tasks and console e-mail,
so `make run` works on a fresh machine. Bad values fail loudly at start-up.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ

# Lets typed generics such as ModelAdmin[Question] work at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file))

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me-0123456789")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS: list[str] = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "accounts.apps.ModeratedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "accounts.apps.AccountsConfig",
    "forum",
    "triage",
]

MIDDLEWARE = [
    "config.log.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "forum.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent writers wait for the lock instead of failing, and take it up front so two
    # transactions never deadlock upgrading a read lock (two doctors claiming at once).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# PostgreSQL: each process keeps its connection for a minute instead of opening one per request
# (a new connection costs more than most pages' queries), checked before reuse so a restarted
# server or a dropped connection costs one reconnect, not an error. SQLite opens a file: cheap.
_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
DATABASES["default"]["CONN_MAX_AGE"] = env.int(
    "DJANGO_CONN_MAX_AGE", default=60 if _POSTGRES else 0
)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "forum:my-questions"

# How many reverse proxies under our control stand in front of the site (nginx, a load balancer):
# the client address is taken from X-Forwarded-For that many hops from the end. 0 (the default)
# ignores the header, which anyone can forge.
TRUSTED_PROXIES = env.int("OPENCONSULT_TRUSTED_PROXIES", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXIES

# One cache for every process: rate limits (the API's and allauth's log-in limits) and two-factor
# replay protection only hold across gunicorn workers and containers when they share it.
CACHE_URL = env("OPENCONSULT_CACHE_URL", default="")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"OPENCONSULT_CACHE_URL must be a redis:// URL, not {CACHE_URL!r}")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "openconsult",
            "OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# allauth: e-mail log-in, mandatory verification, rate limits left at allauth's defaults (on).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[OpenConsult] "
# A notice to the account's address when its password, e-mail address or two-factor changes.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "OpenConsult"

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
if env.str("EMAIL_URL", default=""):
    vars().update(EMAIL_CONFIG)
# A slow or dead mail server gives up after this many seconds (the sending task then retries).
EMAIL_TIMEOUT = env.int("OPENCONSULT_EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="OpenConsult <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Celery: with no broker configured, tasks run in-process so one command serves the whole product.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# Workers log through the site's LOGGING (the same format, the task id on each line).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
CELERY_TIMEZONE = TIME_ZONE
# A frozen or unreachable broker must not hang a patient's request.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
    "max_retries": 1,
    "visibility_timeout": 3600,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With the broker frozen, a request waiting for a pooled connection gives up as fast as one
# waiting on the socket.
CELERY_BROKER_POOL_ACQUIRE_TIMEOUT = 2

REST_FRAMEWORK = {
    # Tokens for apps, session (with CSRF) for the site's own pages; never HTTP Basic. Tokens
    # come first so an unauthenticated call gets a 401 with a `WWW-Authenticate: Token` header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON bodies only, nested at most 32 deep (forum/api/inputs.py): no form or multipart body.
    "DEFAULT_PARSER_CLASSES": ["forum.api.inputs.JSONBodyParser"],
    # The services' ValidationError and QueueError as 400 and 409 (forum/api/errors.py).
    "EXCEPTION_HANDLER": "forum.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "preview": env("OPENCONSULT_PREVIEW_RATE", default="120/min"),
        "post": env("OPENCONSULT_POST_RATE", default="20/hour"),
        "login": env("OPENCONSULT_LOGIN_RATE", default="10/min"),
    },
    # The client's address: the one the last trusted proxy saw (0 = the socket's peer, and
    # X-Forwarded-For is ignored). allauth's rate limits read the same number.
    "NUM_PROXIES": TRUSTED_PROXIES,
}

# API tokens (django-rest-knox): stored hashed, each log-in a new token, every token expires.
KNOX_TOKEN_MODEL = "accounts.ApiToken"  # noqa: S105 - a model name, not a secret
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("OPENCONSULT_TOKEN_TTL_DAYS", default=30)),
    "AUTH_HEADER_PREFIX": "Token",
}
# knox's own migrations would create a table for its model, which accounts.ApiToken replaces.
MIGRATION_MODULES = {"knox": None}
# The oldest tokens beyond this number are revoked when a new one is made.
OPENCONSULT_TOKENS_PER_USER = env.int("OPENCONSULT_TOKENS_PER_USER", default=10)

# A strict policy: every asset is served by this site, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "OpenConsult API",
    "DESCRIPTION": "Ask verified doctors; triage, review queue and similar Q&As. Not for "
    "emergencies: call your emergency number.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs' assets are served by this site (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "forum.api.errors.document_json_bodies",
    ],
    "ENUM_NAME_OVERRIDES": {
        "UrgencyEnum": "forum.models.Urgency",
        "QuestionStatusEnum": "forum.models.Status",
        "DoctorStatusEnum": "accounts.models.DoctorStatus",
        "ConflictCodeEnum": "forum.services.ConflictCode",
    },
}

# Where the similarity index is kept as shared, memory-mapped files once the site has 20,000
# public Q&As (one folder per database); empty: $XDG_CACHE_HOME/openconsult/index, else
# ~/.cache/openconsult/index. Must be writable by the web and worker processes.
SIMILARITY_INDEX_DIR = env("OPENCONSULT_SIMILARITY_INDEX_DIR", default="")

SITE_NAME = "OpenConsult"
# The site's address: the base of every link in every e-mail (the site's own and allauth's),
# never the host a request named. Required in production.
SITE_URL = env("OPENCONSULT_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")) or "/" in SITE_URL.split("://", 1)[1]:
    raise ValueError(
        f"OPENCONSULT_SITE_URL must be the site's address such as https://consult.example.org, "
        f"not {SITE_URL!r}"
    )
# Where people report a vulnerability in this site (/.well-known/security.txt): mailto: or https:.
SECURITY_CONTACT = env("OPENCONSULT_SECURITY_CONTACT", default="")
if SECURITY_CONTACT and not SECURITY_CONTACT.startswith(("mailto:", "https://")):
    raise ValueError("OPENCONSULT_SECURITY_CONTACT must be a mailto: or https:// URL")
EMERGENCY_NUMBER = env("OPENCONSULT_EMERGENCY_NUMBER", default="112 / 911 / 999")
CRISIS_LINE = env(
    "OPENCONSULT_CRISIS_LINE",
    default="988 (US), 116 123 (UK & Ireland), or your local crisis line",
)
# What a phone dials from the call-now link (tel:): the first number of EMERGENCY_NUMBER and of
# CRISIS_LINE unless set.
EMERGENCY_DIAL = env("OPENCONSULT_EMERGENCY_DIAL", default="")
CRISIS_DIAL = env("OPENCONSULT_CRISIS_DIAL", default="")
# Specialties whose verified doctors are alerted to, and see in their queue, every emergency and
# urgent question whatever its specialty.
ON_CALL_SPECIALTIES = env.list(
    "OPENCONSULT_ON_CALL_SPECIALTIES", default=["emergency-medicine", "general-practice"]
)
QUESTIONS_PER_PAGE = 20

# Log lines name people and questions by id, never by address or title (docs/security.md). Two of
# Django's loggers write data at DEBUG: the template engine a missing variable's whole context
# (addresses, titles, confirmation keys), the database every query with its parameters (DEBUG
# only). They stay at INFO whatever DJANGO_LOG_LEVEL says.
# Logs: time, level, logger and the request (or task) id on every line; JSON with
# OPENCONSULT_LOG_FORMAT=json. The project logs ids, never addresses or what people typed.
LOG_FORMAT = env("OPENCONSULT_LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ValueError(f"OPENCONSULT_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
# Operators e-mailed on every server error (500), with the traceback only (config/log.py).
ADMINS = [("Operator", address) for address in env.list("OPENCONSULT_ADMINS", default=[])]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.log.RequestIdFilter"}},
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
        "operators": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["request_id"],
            "reporter_class": "config.log.PrivateErrorReporter",
            "include_html": False,
        },
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # At DEBUG these print template contexts and query values: what people typed.
        "django.template": {"level": "INFO"},
        "django.db.backends": {"level": "INFO"},
        # 404s and 403s as warnings on the console; server errors also to the operators.
        "django.request": {
            "handlers": ["console", "operators"],
            "level": "WARNING",
            "propagate": False,
        },
    },
}

# `manage.py seed_demo` creates users with printed passwords: never on a production site.
DEMO_DATA_ALLOWED = True

# Review queue
QUEUE_CLAIM_MINUTES = env.int("OPENCONSULT_CLAIM_MINUTES", default=30)
QUEUE_MAX_CLAIMS = env.int("OPENCONSULT_MAX_CLAIMS", default=3)
# A question still `submitted` after this long was never triaged (broker down): re-enqueue it.
QUEUE_SWEEP_AFTER_SECONDS = env.int("OPENCONSULT_SWEEP_AFTER_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "release-expired-claims": {"task": "forum.tasks.release_expired_claims", "schedule": 60.0},
    "sweep-submitted-questions": {"task": "forum.tasks.sweep_submitted", "schedule": 30.0},
    "resend-unsent-emails": {"task": "forum.tasks.resend_unsent_emails", "schedule": 120.0},
    # PostgreSQL: how many questions use each word, read by similar-Q&A lookups.
    "similarity-word-counts": {
        "task": "forum.similarity.tasks.similarity_refresh_word_counts",
        "schedule": 600.0,
    },
}
