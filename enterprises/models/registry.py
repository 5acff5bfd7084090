"""A registry import: the files a bureau uploaded, what the dry run found, and whether it was written.

The uploaded files are kept (as bytes) so the confirmation writes exactly what the dry run showed, and
so every audited change can name the file it came from. A confirmed import is queued (the imports
queue of Celery) and written by a worker, so that a county's first load never holds up other work.
"""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistryImport(models.Model):
    class Status(models.TextChoices):
        CHECKED = "checked", _("checked (dry run)")
        QUEUED = "queued", _("confirmed, importing")
        COMMITTED = "committed", _("imported")
        FAILED = "failed", _("failed, nothing written")

    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("uploaded by"))
    file_names = models.CharField(_("files"), max_length=255)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CHECKED)
    summary = models.JSONField(_("summary"), default=dict,
                               help_text=_("counts per table and action, refused rows, a sample of the changes"))
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")

    def __str__(self) -> str:
        return f"{self.file_names} ({self.get_status_display()})"


class RegistryImportFile(models.Model):
    registry_import = models.ForeignKey(RegistryImport, models.CASCADE, related_name="files",
                                        verbose_name=_("registry import"))
    name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content = models.BinaryField(_("content"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("imported file")
        verbose_name_plural = _("imported files")

    def __str__(self) -> str:
        return self.name
