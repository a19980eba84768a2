"""Production: secrets and hosts must come from the environment; HTTPS everywhere."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHE_URL, CELERY_BROKER_URL, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# EMAIL_URL (read in base) decides the backend when it is set; otherwise SMTP.
if not env.str("EMAIL_URL", default=""):
    EMAIL_BACKEND = env(
        "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
    )
# Health checks arrive over plain HTTP from inside the container or the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
DEMO_DATA_ALLOWED = False

# Links in e-mails would otherwise point at a development address.
if not env.str("OPENCONSULT_SITE_URL", default=""):
    raise ImproperlyConfigured(
        "Set OPENCONSULT_SITE_URL to the site's address (e.g. https://consult.example.org): "
        "every link in the e-mails is built from it."
    )

# Several processes serve the site: without a shared cache every gunicorn worker would keep its
# own log-in limits and two-factor replay list, multiplying what an attacker may try.
if not CACHE_URL:
    raise ImproperlyConfigured(
        "Set OPENCONSULT_CACHE_URL to a redis:// URL (e.g. redis://redis:6379/1): rate limits "
        "and two-factor replay protection must be shared by every process."
    )

# Without a broker the tasks would run inside the web requests: a patient's post would wait for
# the triage and every e-mail, and a dead mail server would fail requests.
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured(
        "Set CELERY_BROKER_URL (e.g. redis://redis:6379/0): production runs its tasks on Celery "
        "workers, never inside web requests."
    )
