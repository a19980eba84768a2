from __future__ import annotations

import re
import subprocess

import pytest

from tests.config.processes import ROOT, manage, shell

# Every variable the settings read, so nothing the test run itself set leaks into a check.
OURS = ("DJANGO_", "OPENCONSULT_", "CELERY_", "EMAIL_", "DATABASE_")
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-1234567890",
    "DJANGO_ALLOWED_HOSTS": "openconsult.example",
    "OPENCONSULT_CACHE_URL": "redis://127.0.0.1:6379/1",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "OPENCONSULT_SITE_URL": "https://openconsult.example",
}
PRINT_EMAIL = (
    "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_TIMEOUT)"
)


def _production(code: str = PRINT_EMAIL, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run `code` under the production settings, with `extra` variables (empty: unset)."""
    return shell(code, env={**PRODUCTION, **extra}, clean=OURS)


def test_production_settings_pass_the_deploy_check_with_zero_issues():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION, clean=OURS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _production(DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_a_shared_cache():
    result = _production(OPENCONSULT_CACHE_URL="")
    assert result.returncode != 0
    assert "OPENCONSULT_CACHE_URL" in result.stderr


def test_production_settings_refuse_to_start_without_a_broker():
    result = _production(CELERY_BROKER_URL="")
    assert result.returncode != 0
    assert "Set CELERY_BROKER_URL" in result.stderr


def test_production_settings_refuse_to_start_without_the_site_address():
    result = _production(OPENCONSULT_SITE_URL="")
    assert result.returncode != 0
    assert "Set OPENCONSULT_SITE_URL" in result.stderr


def test_the_site_address_must_be_an_address():
    result = _production(OPENCONSULT_SITE_URL="consult.example.org/path")
    assert result.returncode != 0
    assert "OPENCONSULT_SITE_URL must be the site's address" in result.stderr


def test_production_serves_health_checks_over_http_and_redirects_the_rest():
    code = (
        "from django.test import Client; c = Client(HTTP_HOST='openconsult.example'); "
        "print(c.get('/healthz').status_code, c.get('/').status_code)"
    )
    result = _production(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["200", "301"]


def test_production_honours_email_url_and_defaults_to_smtp():
    console = _production(EMAIL_URL="consolemail://")
    assert console.returncode == 0, console.stderr
    assert console.stdout.split() == ["django.core.mail.backends.console.EmailBackend", "10"]
    smtp = _production()
    assert smtp.stdout.split()[0] == "django.core.mail.backends.smtp.EmailBackend"


def test_the_cache_url_must_be_redis():
    result = manage(
        "check",
        env={"DJANGO_SETTINGS_MODULE": "config.settings.local", "OPENCONSULT_CACHE_URL": "x://y"},
        clean=OURS,
    )
    assert result.returncode != 0
    assert "must be a redis:// URL" in result.stderr


def test_no_template_or_stylesheet_loads_anything_from_another_site():
    pattern = re.compile(r"""(src|href)\s*=\s*["'](https?:)?//""", re.I)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("templates", "static")
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and path.suffix in {".html", ".css", ".js"}
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_every_page_carries_a_strict_content_security_policy(client, db):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_security_txt_names_the_configured_contact(client, settings):
    settings.SECURITY_CONTACT = ""
    assert client.get("/.well-known/security.txt").status_code == 404
    settings.SECURITY_CONTACT = "mailto:security@consult.example.org"
    response = client.get("/.well-known/security.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "Contact: mailto:security@consult.example.org" in lines
    assert any(line.startswith("Expires: 20") and line.endswith("Z") for line in lines)


def test_env_example_lists_every_variable_the_settings_read():
    read = set()
    for path in (ROOT / "config" / "settings").glob("*.py"):
        read |= set(re.findall(r'env(?:\.[a-z_]+)?\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^# ([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    assert read - listed == set()
    assert "DJANGO_SETTINGS_MODULE" in listed


def _database_settings(**env: str) -> str:
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    result = shell(code, env={"DJANGO_SETTINGS_MODULE": "config.settings.local", **env}, clean=OURS)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.slow  # loads the settings in another process
def test_postgresql_connections_are_kept_a_minute_and_checked_before_reuse():
    assert _database_settings(DATABASE_URL="postgres://u:p@db:5432/x") == "60 True"
    assert _database_settings(DATABASE_URL="sqlite:///x.sqlite3") == "0 True"
    postgres_no_reuse = {"DATABASE_URL": "postgres://u:p@db:5432/x", "DJANGO_CONN_MAX_AGE": "0"}
    assert _database_settings(**postgres_no_reuse) == "0 True"
    assert _database_settings(DJANGO_CONN_HEALTH_CHECKS="false") == "0 False"
