"""Settings of the platform, read from environment variables (12-factor).

With no variables set the platform runs embedded: SQLite in ``var/`` and Celery over
kombu's filesystem transport, so a bare machine needs no server. In production set
``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL`` (Celery broker, results and cache),
``DJANGO_DEBUG=0``, ``DJANGO_SECRET_KEY`` and ``DJANGO_ALLOWED_HOSTS``.
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR = Path(os.environ.get("ENFORCEMENT_DATA_DIR", BASE_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0")
    SECRET_KEY = "embedded-development-key-not-for-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "core.admin_config.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "leaflet",
    "core",
    "enterprises",
    "notifications",
    "monitoring",
    "alerts",
    "ecocode",
    "dispatch",
    "dashboard",
    "fieldsync",
    "audit",
    "enforcement",
    "waste",
    "outreach",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.PasswordChangeRequiredMiddleware",
    "audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: PostgreSQL from DATABASE_URL, else embedded SQLite -------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # No JIT: the platform's set-based queries are large but quick, and LLVM can spend minutes
        # optimising one of them (uninterruptible, seen on the eco-code scoring) before it runs.
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock when a transaction
            # starts, so two writers queue on the busy timeout instead of one failing "database is locked"
            # when it upgrades a read lock.
            "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE",
                        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"},
        }
    }
if os.environ.get("DJANGO_TEST_DB"):
    # Lets several test runs share one PostgreSQL server without clashing.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DJANGO_TEST_DB"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")  # for settings-time decisions; code asks core.db

# --- Redis: Celery broker, results and cache; embedded fallbacks without it ----------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A task taken by a worker that then died without a word (SIGKILL, power loss) goes back to the
    # queue after this many seconds (Redis transport default: 1 hour, found by a sweep every ~100 s).
    # Keep it above the longest task; the fault tests set a few seconds.
    if os.environ.get("CELERY_VISIBILITY_TIMEOUT"):
        _visibility = int(os.environ["CELERY_VISIBILITY_TIMEOUT"])
        CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": _visibility, "unacked_restore_throttle": 1,
                                           "unacked_restore_interval": max(1, min(10, _visibility // 4))}
else:
    _broker_dir = DATA_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    (DATA_DIR / "results").mkdir(parents=True, exist_ok=True)
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "cache")}}
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = f"file://{DATA_DIR / 'results'}"

CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queues by kind, so that no work waits behind other work: the 5-minute warning cycle has a queue of its
# own, sending has one, long scoring and report runs one, imports one; the rest (deadlines, upkeep)
# goes to "default". One beat for all. A worker started without -Q consumes every queue (the embedded
# platform, `make run`); docker-compose.yml runs one worker per group of queues (docs/scaling.md).
CELERY_QUEUES = ("warnings", "notifications", "scoring", "imports", "default")
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in CELERY_QUEUES]
CELERY_TASK_ROUTES = {
    "alerts.tasks.evaluate_alerts": {"queue": "warnings"},
    "monitoring.tasks.fold_aggregate_backlog": {"queue": "warnings"},
    "notifications.tasks.*": {"queue": "notifications"},
    "ecocode.tasks.*": {"queue": "scoring"},
    "enterprises.tasks.*": {"queue": "imports"},
    "enforcement.tasks.review_positive_list": {"queue": "scoring"},
}
CELERY_TASK_TRACK_STARTED = True
CELERY_BEAT_SCHEDULE = {
    "deliver-notifications": {"task": "notifications.tasks.deliver_pending_notifications",
                              "schedule": timedelta(minutes=1)},
    "evaluate-alerts": {"task": "alerts.tasks.evaluate_alerts", "schedule": timedelta(minutes=5)},
    "fold-aggregate-backlog": {"task": "monitoring.tasks.fold_aggregate_backlog", "schedule": timedelta(minutes=1)},
    "create-reading-partitions": {"task": "monitoring.tasks.create_reading_partitions",
                                  "schedule": crontab(hour=0, minute=5)},
    "score-all-enterprises": {"task": "ecocode.tasks.score_all", "schedule": crontab(hour=1, minute=30)},
    "check-work-order-deadlines": {"task": "dispatch.tasks.check_deadlines", "schedule": timedelta(minutes=5)},
    "issue-self-check-campaigns": {"task": "dispatch.tasks.issue_campaigns", "schedule": crontab(hour=7, minute=0)},
    "purge-ingest-rejections": {"task": "monitoring.tasks.purge_rejections", "schedule": crontab(hour=3, minute=15)},
    "expire-time-series": {"task": "monitoring.tasks.expire_time_series", "schedule": crontab(hour=3, minute=30)},
    "purge-idempotency-records": {"task": "core.tasks.purge_expired_idempotency", "schedule": timedelta(hours=1)},
    "purge-login-records": {"task": "core.tasks.purge_access_logs", "schedule": crontab(hour=3, minute=25)},
    "collect-targeted-inspections": {"task": "enforcement.tasks.collect_targeted_inspections",
                                     "schedule": timedelta(minutes=5)},
    "review-positive-list": {"task": "enforcement.tasks.review_positive_list", "schedule": crontab(hour=2, minute=0)},
    "check-waste-transfers": {"task": "waste.tasks.check_transfers", "schedule": timedelta(minutes=5)},
    "outreach-reminders": {"task": "outreach.tasks.outreach_reminders", "schedule": timedelta(hours=1)},
    "roll-up-valid-hours": {"task": "outreach.tasks.roll_up_valid_hours", "schedule": crontab(hour=3, minute=45)},
    "roll-up-scores": {"task": "ecocode.tasks.roll_up_scores", "schedule": crontab(hour=4, minute=0)},
    "expire-notifications": {"task": "notifications.tasks.expire_notifications",
                             "schedule": crontab(hour=4, minute=15)},
}

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "enterprises.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# --- Accounts: lockout after repeated wrong passwords (django-axes), forced first change, token expiry ---
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Locked per address (one password tried against many accounts) and per account (one account guessed
# from many addresses).
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOG_RETENTION_DAYS = int(os.environ.get("AXES_LOG_RETENTION_DAYS", "90"))  # purged on beat (core.tasks)
API_TOKEN_TTL = timedelta(hours=int(os.environ.get("API_TOKEN_TTL_HOURS", str(24 * 7))))
# The client address (rate limits, lockouts, audit): REMOTE_ADDR unless it is one of these proxies,
# then the last address of CLIENT_IP_HEADER that is not a trusted proxy (core.net.client_ip).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
CLIENT_IP_HEADER = os.environ.get("CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR")
DEMO_FORCE_PASSWORD_CHANGE = env_bool("DEMO_FORCE_PASSWORD_CHANGE", True)
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- I18n: zh-Hans is the UI's default language ---------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# An enterprise's manual monitoring results older than this need a bureau-approved backfill.
MONITORING_UPLOAD_MAX_AGE = timedelta(days=int(os.environ.get("MONITORING_UPLOAD_MAX_AGE_DAYS", "7")))
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", DATA_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise reads it at start-up
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage" if not DEBUG
                    else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ExpiringTokenAuthentication",
        "core.api.authentication.PasswordCheckedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Post-permit enforcement supervision API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from the installed sidecar's static files: the docs work without internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "AlertStateEnum": "alerts.models.alerts.AlertState",
        "AlertEventKindEnum": "alerts.models.alerts.AlertEvent.Kind",
        "DataKindEnum": "monitoring.models.readings.DataKind",
        "WorkOrderStateEnum": "dispatch.models.orders.WorkOrder.State",
        "RoundKindEnum": "dispatch.models.checklists.Round.Kind",
        "ColourEnum": "ecocode.models.catalogue.Colour",
        "QuestionStateEnum": "outreach.models.questions.Question.State",
        "QuestionTopicEnum": "outreach.models.questions.Topic",
        "ArticleTopicEnum": "outreach.models.articles.ArticleTopic",
        "AttemptStateEnum": "outreach.models.exams.Attempt.State",
        "WasteRuleEnum": "waste.models.alerts.WasteRule",
        "AlertRuleEnum": "alerts.models.alerts.Rule",
        "ManifestStateEnum": "waste.models.manifests.ManifestState",
        "ReviewStateEnum": "ecocode.models.reviews.Review.State",
        "LineResultEnum": "dispatch.models.checklists.LineResult.Result",
        "OffSiteLineResultEnum": "enforcement.models.inspections.OffSiteLine.Result",
    },
}

# --- Map ------------------------------------------------------------------------------------
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (30.63, 120.50),
    "DEFAULT_ZOOM": 11,
    "MIN_ZOOM": 8,
    "MAX_ZOOM": 18,
    "TILES": os.environ.get("MAP_TILES_URL",
                            "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}"),
    "ATTRIBUTION_PREFIX": None,  # Leaflet's own prefix, translated by core/leaflet_labels.html
}

# --- Notifications --------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "no-reply@enforcement.local")
NOTIFY_WEBHOOK_URL = os.environ.get("NOTIFY_WEBHOOK_URL", "")
NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "5"))
# A batch's outbound deliveries go to the queue in tasks of this many, so every worker takes its share of a
# storm (a delivery mostly waits on its gateway: benchmarks/bench_workers.py).
NOTIFY_DELIVERY_CHUNK = int(os.environ.get("NOTIFY_DELIVERY_CHUNK", "50"))
NOTIFY_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", "60"))  # doubled after each failure
# Group robots (see docs/notifications.md): users give only their robot's key / access token.
NOTIFY_WECOM_URL = os.environ.get("NOTIFY_WECOM_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
NOTIFY_DINGTALK_URL = os.environ.get("NOTIFY_DINGTALK_URL", "https://oapi.dingtalk.com/robot/send")
# SMS: the logging backend (embedded default) or the HTTP gateway backend.
NOTIFY_SMS_BACKEND = os.environ.get("NOTIFY_SMS_BACKEND", "notifications.sms.LoggingBackend")
NOTIFY_SMS_URL = os.environ.get("NOTIFY_SMS_URL", "")
NOTIFY_SMS_TOKEN = os.environ.get("NOTIFY_SMS_TOKEN", "")
NOTIFY_SMS_SIGNATURE = os.environ.get("NOTIFY_SMS_SIGNATURE", "【生态环境局】")
NOTIFY_SMS_MAX_CHARS = int(os.environ.get("NOTIFY_SMS_MAX_CHARS", "70"))  # one UCS-2 text, signature included
# Aliyun SMS (notifications.sms.AliyunBackend): the RAM user's AccessKey, the approved signature and a
# notification template with one variable (e.g. "${content}，请登录平台处理。").
NOTIFY_ALIYUN_SMS_URL = os.environ.get("NOTIFY_ALIYUN_SMS_URL", "https://dysmsapi.aliyuncs.com/")
NOTIFY_ALIYUN_REGION = os.environ.get("NOTIFY_ALIYUN_REGION", "cn-hangzhou")
NOTIFY_ALIYUN_ACCESS_KEY_ID = os.environ.get("NOTIFY_ALIYUN_ACCESS_KEY_ID", "")
NOTIFY_ALIYUN_ACCESS_KEY_SECRET = os.environ.get("NOTIFY_ALIYUN_ACCESS_KEY_SECRET", "")
NOTIFY_ALIYUN_SMS_SIGN_NAME = os.environ.get("NOTIFY_ALIYUN_SMS_SIGN_NAME", "生态环境局")
NOTIFY_ALIYUN_SMS_TEMPLATE = os.environ.get("NOTIFY_ALIYUN_SMS_TEMPLATE", "")
NOTIFY_ALIYUN_SMS_PARAM = os.environ.get("NOTIFY_ALIYUN_SMS_PARAM", "content")
NOTIFY_ALIYUN_SMS_PARAM_MAX = int(os.environ.get("NOTIFY_ALIYUN_SMS_PARAM_MAX", "35"))
# Kinds whose messages to one recipient in one cycle are grouped into one digest (first warnings and
# alarms stay one message each, up to NOTIFY_DIGEST_ABOVE messages of one cycle to one recipient).
NOTIFY_DIGEST_KINDS = tuple(k for k in os.environ.get(
    "NOTIFY_DIGEST_KINDS", "alert.repeat,waste.repeat,remedy_overdue").split(",") if k)
NOTIFY_DIGEST_ABOVE = int(os.environ.get("NOTIFY_DIGEST_ABOVE", "5"))

# --- Warning storms: one incident when a large share of the online outlets go silent together ---
# (alerts.services.incidents): at least this share of the online-monitored outlets, and this many.
ALERT_INCIDENT_SHARE = float(os.environ.get("ALERT_INCIDENT_SHARE", "0.3"))
ALERT_INCIDENT_MIN_OUTLETS = int(os.environ.get("ALERT_INCIDENT_MIN_OUTLETS", "10"))

# --- HJ 212 server: fair under abuse -------------------------------------------------------------
HJ212_MAX_CONNECTIONS = int(os.environ.get("HJ212_MAX_CONNECTIONS", "20000"))
HJ212_MAX_CONNECTIONS_PER_ADDRESS = int(os.environ.get("HJ212_MAX_CONNECTIONS_PER_ADDRESS", "64"))
HJ212_FRAME_TIMEOUT = float(os.environ.get("HJ212_FRAME_TIMEOUT", "30"))  # seconds from a frame's first byte
HJ212_MAX_GARBAGE_BYTES = int(os.environ.get("HJ212_MAX_GARBAGE_BYTES", str(64 * 1024)))  # per connection
HJ212_DEVICE_PW_CHARS = int(os.environ.get("HJ212_DEVICE_PW_CHARS", "12"))
HJ212_MAX_FAILED_LOGINS = int(os.environ.get("HJ212_MAX_FAILED_LOGINS", "5"))  # per MN and per address
HJ212_MAX_FAILED_PER_ADDRESS = int(os.environ.get("HJ212_MAX_FAILED_PER_ADDRESS", "50"))
HJ212_LOCKOUT_SECONDS = int(os.environ.get("HJ212_LOCKOUT_SECONDS", "900"))
HJ212_LOCKOUT_KEY = os.environ.get("HJ212_LOCKOUT_KEY", "lockout")  # cache key space of the failure counters
HJ212_DISTINCT_REFUSALS = env_bool("HJ212_DISTINCT_REFUSALS", False)  # tell unknown MN from wrong password
# History requests (补传) for data gaps: how far back, how often per logger, how often a server looks for them.
HJ212_HISTORY_DAYS = int(os.environ.get("HJ212_HISTORY_DAYS", "7"))
HJ212_HISTORY_EVERY_MINUTES = int(os.environ.get("HJ212_HISTORY_EVERY_MINUTES", "60"))
HJ212_COMMAND_POLL_SECONDS = float(os.environ.get("HJ212_COMMAND_POLL_SECONDS", "10"))
# A batch gathering the packets of this many connections or more (a busy server) leaves its windows to the
# aggregate backlog, which the server folds every HJ212_AGGREGATE_FOLD_SECONDS
# (monitoring.services.aggregate_backlog); 0: never defer.
HJ212_DEFER_AGGREGATES_FROM = int(os.environ.get("HJ212_DEFER_AGGREGATES_FROM", "4"))
HJ212_AGGREGATE_FOLD_SECONDS = float(os.environ.get("HJ212_AGGREGATE_FOLD_SECONDS", "2"))
# Retention and roll-up policies, in days, each run daily by beat (docs/scaling.md, "Retention"); every value
# can be overridden by the environment variable beside it:
# - readings: raw readings, dropped by whole daily partitions (monitoring.services.retention);
# - aggregates_*: half-hour, hourly and daily aggregates, the coarser kept longer than the finer;
# - rejections: the log of refused packets (monitoring.services.rejections);
# - device_messages: what devices send besides readings (start-ups, running status, replies);
# - scores: eco-code scores of intermediate runs; older ones are rolled up to each enterprise's final score
#   of each month, its latest score and the scores colour changes and reviews name (ecocode.services.rollup);
# - notifications: read notifications none of whose deliveries is pending, with their delivery records, and
#   the digests left empty; notifications_unread: the same for unread ones (notifications.services.expiry).
RETENTION_DAYS = {
    "readings": int(os.environ.get("RETENTION_READINGS_DAYS", "400")),
    "aggregates_half_hour": int(os.environ.get("RETENTION_HALF_HOUR_DAYS", "800")),
    "aggregates_hour": int(os.environ.get("RETENTION_HOUR_DAYS", "1100")),
    "aggregates_day": int(os.environ.get("RETENTION_DAY_DAYS", "3660")),
    "rejections": int(os.environ.get("INGEST_REJECTION_RETENTION_DAYS", "30")),
    "device_messages": int(os.environ.get("RETENTION_DEVICE_MESSAGES_DAYS", "400")),
    "scores": int(os.environ.get("RETENTION_SCORES_DAYS", "92")),
    "notifications": int(os.environ.get("RETENTION_NOTIFICATIONS_DAYS", "180")),
    "notifications_unread": int(os.environ.get("RETENTION_UNREAD_NOTIFICATIONS_DAYS", "400")),
}

# --- Public site ----------------------------------------------------------------------------
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
COUNTY_NAME = os.environ.get("COUNTY_NAME", "桐乡市")
COUNTY_DIVISION_CODE = os.environ.get("COUNTY_DIVISION_CODE", "330483")

# --- Security: hardened whenever DEBUG is off -------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
