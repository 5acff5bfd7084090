"""The Celery application; tasks live in each app's ``tasks.py`` as thin wrappers over services."""
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
# A worker keeps its database connection from task to task, as Django keeps one from request to request:
# Celery's Django fix-up would close it around every task (a new PostgreSQL connection, some 20 ms, for each
# delivery of a storm) unless told to reuse it. Around each task the connection is checked as a request's
# is (``close_old_connections``: CONN_MAX_AGE, errors, and the health check before its first use), as the
# fix-up does too, skipping eager tasks.
app.conf.CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "1000"))


@task_prerun.connect
@task_postrun.connect
def _connections_checked(sender=None, **kwargs) -> None:
    from django.db import close_old_connections

    if not getattr(sender.request, "is_eager", False):  # an eager task runs in its caller's transaction
        close_old_connections()


app.autodiscover_tasks()
