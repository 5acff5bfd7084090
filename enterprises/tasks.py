"""Celery tasks of the registry (routed to the imports queue): thin wrappers over ``services.registry_import``."""
import logging

from celery import shared_task

from .models import RegistryImport
from .services import registry_import

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def commit_registry_import(registry_import_id: int) -> str:
    """Write a confirmed import; a refusal or a failure is recorded on the import (its page shows it)."""
    record = RegistryImport.objects.get(pk=registry_import_id)
    try:
        registry_import.registry_import_commit(registry_import=record)
    except (registry_import.AlreadyHandled, registry_import.ImportRefused) as exc:
        log.info("registry import %s not written: %s", registry_import_id, exc)
    return record.status


def queue_commit(registry_import_id: int) -> None:
    """Send a confirmed import to the imports queue; if the broker is down it is checked again (the user
    confirms later) rather than left confirmed with nobody to write it."""
    try:
        commit_registry_import.delay(registry_import_id)
    except Exception as exc:
        log.warning("could not queue registry import %s: %s", registry_import_id, exc)
        registry_import.registry_import_release(registry_import_id=registry_import_id)
