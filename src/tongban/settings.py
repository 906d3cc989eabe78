"""tongban's one settings module: everything that differs between machines comes from
the environment (see `.env.example`). The defaults are the embedded machine: SQLite in
a data folder, Huey on its own SQLite file, files on local disk, local-memory cache.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from tongban.lib.env import env_bool, env_int, env_list, env_str, random_token, secret_in_file

BASE_DIR = Path(__file__).resolve().parent
# The embedded default keeps its database and generated keys in the checkout's data/ (not
# the current directory's: a command run from elsewhere would start a new database and new
# encryption keys, and read none of the ID numbers); an installed copy uses the directory
# it is started in unless TONGBAN_DATA_DIR says otherwise.
_CHECKOUT = BASE_DIR.parent.parent
DATA_DIR = Path(env_str("TONGBAN_DATA_DIR") or (
    _CHECKOUT if (_CHECKOUT / "pyproject.toml").exists() else Path.cwd()) / "data").resolve()

DEBUG = env_bool("DEBUG", False)
# Behind TLS (production): secure cookies, HSTS and the HTTPS redirect. Off on the
# embedded machine, which serves plain HTTP on 127.0.0.1.
HTTPS = env_bool("HTTPS", False)

# Behind TLS means production: several app servers must share their secrets, so none
# may be generated on the spot (the embedded machine keeps generated ones in DATA_DIR).
if HTTPS:
    for _name in ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY"):
        if not env_str(_name):
            raise ImproperlyConfigured(f"{_name} (or {_name}_FILE) must be set when HTTPS=true")

SECRET_KEY = env_str("SECRET_KEY") or secret_in_file(DATA_DIR / "secret_key", random_token)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "通办")  # i18n: data

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "huey.contrib.djhuey",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "tongban.lib",  # no models: an app for its catalog (the words of errors and remote calls)
    # foundation
    "tongban.accounts",
    "tongban.audit",
    "tongban.people",
    "tongban.notify",
    "tongban.archive",
    # engine
    "tongban.catalog",
    "tongban.cases",
    "oauth2_provider",
    "tongban.interop",
    # business
    "tongban.hukou",
    "tongban.restrictions",
    "tongban.booking",
    "tongban.loans",
    "tongban.records",
    "tongban.campaigns",
    "tongban.assistant",
    # faces
    "tongban.portal",
    "tongban.workbench",
    "tongban.api",
    "tongban.demo",
    "ninja",  # its docs' own static files (not a CDN)
    # the project itself, as an app: its catalog (locale/) holds the words of the shared
    # templates and the top-level modules; each app's catalog holds its own
    "tongban",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "tongban.api.middleware.JsonRefusals",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongban.lib.middleware.RejectNulCharacters",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tongban.api.idempotency.IdempotencyMiddleware",
    "tongban.accounts.middleware.SecondFactorRequired",
    "tongban.accounts.middleware.SlidingSessionMiddleware",
    "tongban.lib.middleware.NoStoreForPersonalAnswers",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tongban.audit.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

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
                "tongban.accounts.context_processors.roles",
                "tongban.notify.context_processors.inbox",
                "tongban.accounts.display.display",
            ],
        },
    },
]

# --- database --------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'tongban.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN, so two writers queue on busy_timeout instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(DATA_DIR / "test.sqlite3")
    # Covering indexes (INCLUDE) are PostgreSQL's; SQLite builds them without the extra
    # columns, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The staff lists' plans are a few milliseconds; JIT compiling them cost more than
    # it saved (bench/cases_scale.py).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, background jobs -------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    # every request reads its session: from the shared cache, the database only on a
    # miss or when the cache fails (writes go to both; accounts/sessions.py). Never
    # with the per-process cache below: a session ended in one worker would live on
    # in another's.
    SESSION_ENGINE = "tongban.accounts.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

HUEY_IMMEDIATE = env_bool("HUEY_IMMEDIATE", False)
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": "tongban",
        "url": REDIS_URL,
        "immediate": HUEY_IMMEDIATE,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "tongban",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": HUEY_IMMEDIATE,
    }

# --- files ------------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or DATA_DIR / "media")
MEDIA_URL = "/media/"  # never served directly: every file goes through a checked view
STATIC_ROOT = Path(env_str("STATIC_ROOT") or DATA_DIR / "static")
STATIC_URL = "/static/"
# WeUI's stylesheet comes from npm (`make assets`: package.json, package-lock.json), served
# like our own files under static/weui/; no CDN. Only its built styles folder is exposed.
STATICFILES_DIRS = [BASE_DIR / "static", ("weui", BASE_DIR.parent.parent / "node_modules" / "weui" / "dist" / "style")]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if env_str("S3_BUCKET"):
    # Scaled out: S3-compatible object storage through django-storages (install the
    # `s3` extra). Static files stay with WhiteNoise inside each app server.
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL"),
            "access_key": env_str("S3_ACCESS_KEY_ID"),
            "secret_key": env_str("S3_SECRET_ACCESS_KEY"),
            "region_name": env_str("S3_REGION"),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
CASE_UPLOAD_MAX_BYTES = env_int("CASE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# one page of an archive capture (a document camera's photo, a scan)
RECORDS_PAGE_MAX_BYTES = env_int("RECORDS_PAGE_MAX_BYTES", 15 * 1024 * 1024)

# --- personal data: encryption key ring and blind index -------------------------
def _fernet_key() -> str:
    return Fernet.generate_key().decode()


def _index_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


# Comma-separated Fernet keys, newest first: new values are encrypted with the first,
# any of them decrypts, so a key can be rotated in (`tongban rotate-keys`) and out.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", []) or [
    secret_in_file(DATA_DIR / "field_encryption_key", _fernet_key)
]
# HMAC key of the blind index used to find and de-duplicate ID and phone numbers.
BLIND_INDEX_KEY = env_str("BLIND_INDEX_KEY") or secret_in_file(DATA_DIR / "blind_index_key", _index_key)

# --- accounts, sessions, login ----------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Idle timeout: the session lives SESSION_IDLE_SECONDS after the last request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60)
# Pushed forward at most once a minute (accounts.middleware.SlidingSessionMiddleware),
# not written on every request.
SESSION_REFRESH_SECONDS = env_int("SESSION_REFRESH_SECONDS", 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Failed attempts allowed per account in the window, then locked (even for the right
# password) until the window has passed or an admin unlocks it. Counted by django-axes
# with the handler of accounts/lockout.py, in the project's cache, for every login form
# (applicants', staff's, /admin/login/) and the binding form.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
# Per client address the limit is higher: a campus's students share a few NAT addresses.
LOGIN_MAX_FAILURES_PER_ADDRESS = env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 30)
LOGIN_LOCK_SECONDS = env_int("LOGIN_LOCK_SECONDS", 15 * 60)
AUTHENTICATION_BACKENDS = [
    "tongban.accounts.backends.LockoutBackend",  # axes: refuses a locked account or address first
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "tongban.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = LOGIN_MAX_FAILURES
AXES_COOLOFF_TIME = dt.timedelta(seconds=LOGIN_LOCK_SECONDS)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "tongban.audit.middleware.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # the counts are in the cache, not in axes' tables
AXES_VERBOSE = False
# Staff who approve, unmask or administer sign in with a second factor (TOTP, or a
# recovery code); accounts/second_factor.py says who.
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "通办")  # i18n: data
# Who to ask when a person's record is bound to someone else's account.
# The defaults are the demo office's: each office sets its own, in its own words.
HOUSEHOLD_OFFICE_CONTACT = env_str(
    "HOUSEHOLD_OFFICE_CONTACT", "保卫处户籍室（办公楼 101，电话 0000-12345678）")  # i18n: data
HUKOU_COLLECTIVE_ADDRESS = env_str(
    "HUKOU_COLLECTIVE_ADDRESS", "示例市示例区学府路 1 号（示例大学集体户）")  # i18n: data
# Days before a stored household expires on which the graduate is reminded.
HUKOU_STORAGE_REMINDER_DAYS = [int(d) for d in env_list("HUKOU_STORAGE_REMINDER_DAYS", ["30", "7", "1"])]
# WeChat web authorisation (OAuth2 snsapi_base) of the official account in NOTIFY_WECHAT.
WECHAT_OAUTH_BASE = env_str("WECHAT_OAUTH_BASE", "https://open.weixin.qq.com")
# Client addresses are taken from X-Forwarded-For only behind a proxy that sets it.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)

# --- security headers --------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if HTTPS and env_bool("BEHIND_PROXY", True):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# No inline script anywhere: behaviour lives in static files (static/tongban/*.js).
# htmx injects its indicator style, so styles may be inline; nothing else may load
# from another origin, and no page may be framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- language, time --------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]  # i18n: data (a language is named in itself)
# Other systems call with OAuth 2.0 client credentials (django-oauth-toolkit): short-lived
# tokens, hashed secrets, scopes granted per client (tongban.interop).
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env_int("API_TOKEN_SECONDS", 600),
    "SCOPES_BACKEND_CLASS": "tongban.interop.scopes.ClientScopes",
    "OAUTH2_VALIDATOR_CLASS": "tongban.interop.validator.ClientValidator",
    # RFC 9700's behaviour now, before django-oauth-toolkit 4.0 makes it the default
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    **{f"COMPLIANT_BCP_RFC9700_{name}": True for name in (
        "ACCESS_TOKEN_TRANSPORT", "AUTHZ_RESPONSE_ISS", "IMPLICIT_GRANT", "PASSWORD_GRANT", "PKCE_METHOD",
        "TOKEN_STORAGE", "REDIRECT_URI_SCHEME", "REFRESH_TOKEN")},
}
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"  # named, for the migrations' swappable FK

# No LOCALE_PATHS: every catalog is an app's (the project's own is the `tongban` app's), so
# `makemessages` run inside an app writes that app's catalog.
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

# --- messages (notify): the outbox, its relay and the channels ---------------------
# Absolute address of the site, for links in e-mail, SMS and WeChat messages.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
# Whether `tongban worker` runs the periodic jobs when neither --periodic nor
# --no-periodic is given. Scaled out: true on exactly one worker, false on the others.
WORKER_PERIODIC = env_bool("WORKER_PERIODIC", True)
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 8)
NOTIFY_RETRY_BASE_SECONDS = env_int("NOTIFY_RETRY_BASE_SECONDS", 30)
NOTIFY_RETRY_CAP_SECONDS = env_int("NOTIFY_RETRY_CAP_SECONDS", 3600)
# A claimed message not finished within the lease is taken again by the next sweep.
NOTIFY_LEASE_SECONDS = env_int("NOTIFY_LEASE_SECONDS", 300)

# E-mail: SMTP when EMAIL_HOST is set; otherwise each mail is written to DATA_DIR/mail.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tongban@localhost")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "mail"

# SMS: Alibaba Cloud's SendSms when SMS_ACCESS_KEY_ID is set; otherwise a file.
NOTIFY_SMS = {
    "endpoint": env_str("SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
    "access_key_id": env_str("SMS_ACCESS_KEY_ID", ""),
    "access_key_secret": env_str("SMS_ACCESS_KEY_SECRET", ""),
    "sign_name": env_str("SMS_SIGN_NAME", "通办"),  # i18n: data
    "file": str(DATA_DIR / "outbox" / "sms.jsonl"),
}
# WeChat official account template messages when WECHAT_APP_ID is set; otherwise a file.
NOTIFY_WECHAT = {
    "api_base": env_str("WECHAT_API_BASE", "https://api.weixin.qq.com"),
    "app_id": env_str("WECHAT_APP_ID", ""),
    "app_secret": env_str("WECHAT_APP_SECRET", ""),
    "file": str(DATA_DIR / "outbox" / "wechat.jsonl"),
}
NOTIFY_TRANSPORTS = {
    "email": "tongban.notify.transports.email.EmailTransport",
    "sms": "tongban.notify.transports.sms."
           + ("AliyunSms" if NOTIFY_SMS["access_key_id"] else "FileSms"),
    "wechat": "tongban.notify.transports.wechat."
              + ("WechatTemplateMessage" if NOTIFY_WECHAT["app_id"] else "FileWechat"),
}

# Error reports: every unhandled error (a 500) is mailed to ADMINS ("姓名 <addr>", comma
# separated), masked like every log line; with SENTRY_DSN set it goes to Sentry too.
ADMINS = [parseaddr(a) for a in env_list("ADMINS", [])]
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
SENTRY_DSN = env_str("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    from tongban.lib.logfilter import scrub_event

    sentry_sdk.init(dsn=SENTRY_DSN, send_default_pii=False, before_send=scrub_event,
                    environment=env_str("SENTRY_ENVIRONMENT", "production"),
                    traces_sample_rate=0.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Whatever a log line says, an ID number in it is masked before it is written.
    "filters": {"redact": {"()": "tongban.lib.logfilter.RedactIdNumbers"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]},
                 "mail_admins": {"class": "tongban.lib.logfilter.RedactedAdminEmailHandler", "level": "ERROR",
                                 "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own request loggers come with handlers of their own (DEFAULT_LOGGING),
    # which would write a requested URL unmasked: they go through the filtered one.
    # gunicorn's access log is masked by its logger class (lib/logfilter.py, scripts/serve).
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},  # it says hello on import
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["mail_admins"], "propagate": True},  # the handler takes errors only
    },
}

# --- the assistant ------------------------------------------------------------------
# questions a minute per signed-in account and per client address (counted in the cache)
ASSISTANT_RATE_PER_USER = env_int("ASSISTANT_RATE_PER_USER", 20)
ASSISTANT_RATE_PER_IP = env_int("ASSISTANT_RATE_PER_IP", 60)
