"""Django settings, read from the environment (see .env.example)."""

from __future__ import annotations

import secrets
from pathlib import Path

from csp.constants import NONCE, NONE, SELF

from scoreline.lib.env import (
    ConfigError,
    env_bool,
    env_int,
    env_list,
    env_path,
    env_str,
    parse_database_url,
    sqlite_database,
)
from scoreline.lib.proxies import parse_networks

PACKAGE_DIR = Path(__file__).resolve().parent

DATA_DIR = env_path("SCORELINE_DATA_DIR", Path.home() / ".local" / "share" / "scoreline")
DEBUG = env_bool("SCORELINE_DEBUG", False)


def _secret_key() -> str:
    configured = env_str("SCORELINE_SECRET_KEY", "")
    if configured:
        if len(configured) < 32:
            raise ConfigError("SCORELINE_SECRET_KEY is shorter than 32 characters")
        return configured
    # One machine: keep a generated key beside the database. Many machines must share
    # one key through the environment (see docs/operations.md).
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()

# The key that seals the audit trail, kept outside the database (docs/operations.md). Unset:
# generated on the first event recorded and kept in AUDIT_KEY_FILE.
AUDIT_KEY = env_str("SCORELINE_AUDIT_KEY", "")
if AUDIT_KEY and len(AUDIT_KEY) < 32:
    raise ConfigError("SCORELINE_AUDIT_KEY is shorter than 32 characters")
AUDIT_KEY_FILE = DATA_DIR / "audit_key"
# Where `scoreline audit checkpoint` appends the sealed head of the chain and `audit verify` reads it.
AUDIT_CHECKPOINTS = env_path("SCORELINE_AUDIT_CHECKPOINTS", DATA_DIR / "audit_checkpoints.jsonl")
ALLOWED_HOSTS = env_list("SCORELINE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("SCORELINE_CSRF_TRUSTED_ORIGINS", [])

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": parse_database_url(_database_url)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": sqlite_database(DATA_DIR / "scoreline.sqlite3")}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "treebeard",
    "ninja",  # serves the API docs page with its own assets instead of a CDN
    "scoreline.audit",
    "scoreline.org",
    "scoreline.access",
    "scoreline.planning",
    "scoreline.kpis",
    "scoreline.strategy",
    "scoreline.scoring",
    "scoreline.governance",
]

MIDDLEWARE = [
    "scoreline.lib.proxies.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "scoreline.lib.request_id.RequestIdMiddleware",
    "scoreline.api.middleware.JsonErrorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "scoreline.urls"
WSGI_APPLICATION = "scoreline.wsgi.application"
ASGI_APPLICATION = "scoreline.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scoreline.access.context.navigation",
            ],
            "builtins": ["scoreline.web.filters"],
        },
    },
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SCORELINE_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SCORELINE_SESSION_SECONDS", 8 * 3600, minimum=60)
# With secure cookies the site is served over HTTPS only: browsers are told to keep to it.
SECURE_HSTS_SECONDS = (
    env_int("SCORELINE_HSTS_SECONDS", 365 * 24 * 3600, minimum=0) if SESSION_COOKIE_SECURE else 0
)
# Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (docs/operations.md).
TRUSTED_PROXIES = parse_networks(
    env_list("SCORELINE_TRUSTED_PROXIES", []), "SCORELINE_TRUSTED_PROXIES"
)

# No inline script or style anywhere: scripts and style sheets come from the site itself,
# and the one style block built per page (the status colours) carries the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Assets come from the installed packages; whitenoise serves them straight from there,
# so there is no collected static folder to keep in step.
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": env_str("SCORELINE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Aggregates about fewer people than this are hidden from anyone who could not see them one by one.
MIN_GROUP_SIZE = env_int("SCORELINE_MIN_GROUP_SIZE", 5, minimum=1)

# A month that has ended is sufficient for scorecards once this share (%) of its expected
# values is present (docs/decisions/0006); below it, and before it ends, it is provisional.
SUFFICIENT_COVERAGE_PERCENT = env_int("SCORELINE_SUFFICIENT_COVERAGE", 95, minimum=1, maximum=100)

# KPI audits; the values are checked where they are used (kpis.smart, kpi_quality.reports), naming the variable.
SCORELINE_SMART_VARIANT = env_str("SCORELINE_SMART_VARIANT", "modern")
SCORELINE_SMART_ERRORS = env_str("SCORELINE_SMART_ERRORS", "")
SCORELINE_REDUNDANCY_THRESHOLD = env_str("SCORELINE_REDUNDANCY_THRESHOLD", "0.9")
# Failed logins allowed per username and per address within the window before a lockout.
LOGIN_MAX_FAILURES = env_int("SCORELINE_LOGIN_MAX_FAILURES", 5, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("SCORELINE_LOGIN_FAILURE_WINDOW_SECONDS", 900, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SCORELINE_LOG_LEVEL", "WARNING")},
}
