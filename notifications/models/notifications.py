"""Notifications shared by every app: see ``notifications.services`` for sending them."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise


class Channel(models.TextChoices):
    IN_APP = "inapp", _("in-app inbox")
    EMAIL = "email", _("e-mail")
    WEBHOOK = "webhook", _("webhook (integration gateway)")
    WECOM = "wecom", _("WeChat Work group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    SMS = "sms", _("SMS")


class Digest(models.Model):
    """The repeats of one cycle to one recipient, sent as one message over each outbound channel (the
    notifications themselves stay one per warning in the inbox)."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, null=True, blank=True, related_name="digests",
                                   verbose_name=_("enterprise"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True,
                             related_name="digests", verbose_name=_("user"))
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")

    def __str__(self) -> str:
        return f"digest {self.pk}"


class Notification(models.Model):
    """A message to an enterprise (all its accounts) or to one user; shown in the in-app inbox and
    delivered over the other channels by ``Delivery`` rows."""

    enterprise = models.ForeignKey(Enterprise, models.CASCADE, null=True, blank=True, related_name="notifications",
                                   verbose_name=_("enterprise"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True,
                             related_name="notifications", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=32, db_index=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True, db_index=True,
                              help_text=_("What it is about, e.g. alert:42 or workorder:7."))
    dedup_key = models.CharField(_("deduplication key"), max_length=100, null=True, blank=True, unique=True,
                                 help_text=_("A second notification with the same key is never created."))
    created_at = models.DateTimeField(_("created at"), db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    digest = models.ForeignKey(Digest, models.SET_NULL, null=True, blank=True, related_name="notifications",
                               verbose_name=_("digest"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.CheckConstraint(condition=Q(enterprise__isnull=False) | Q(user__isnull=False),
                                   name="notification_has_recipient"),
        ]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """One attempt-tracked delivery of a notification (or of a digest) over one channel to one address;
    failed ones are retried. ``user`` is the account whose channel choice made it (none for an
    enterprise without accounts, or the integration webhook)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed for good")

    notification = models.ForeignKey(Notification, models.CASCADE, null=True, blank=True, related_name="deliveries",
                                     verbose_name=_("notification"))
    digest = models.ForeignKey(Digest, models.CASCADE, null=True, blank=True, related_name="deliveries",
                               verbose_name=_("digest"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("account"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(condition=Q(notification__isnull=False, digest__isnull=True)
                                   | Q(notification__isnull=True, digest__isnull=False),
                                   name="delivery_of_notification_or_digest"),
            models.UniqueConstraint(fields=["notification", "channel", "address"], name="one_delivery_per_address",
                                    condition=Q(notification__isnull=False)),
            models.UniqueConstraint(fields=["digest", "channel", "address"], name="one_digest_delivery_per_address",
                                    condition=Q(digest__isnull=False)),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.notification_id or f'digest {self.digest_id}'} {self.channel} {self.status}"
