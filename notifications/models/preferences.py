"""Each user's choice of channels (the in-app inbox is always on), with role defaults."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Role

from .notifications import Channel

# Chosen channels by role until the user saves a choice: officers in the field get texts, office
# staff e-mail; robots need a key, so they are off until the user gives one.
ROLE_DEFAULTS = {
    Role.BUREAU: {Channel.EMAIL},
    Role.ENFORCEMENT: {Channel.EMAIL, Channel.SMS},
    Role.TOWNSHIP: {Channel.EMAIL, Channel.SMS},
    Role.GRID: {Channel.SMS},
    Role.ENTERPRISE: {Channel.EMAIL, Channel.SMS},
}
CHOOSABLE = (Channel.EMAIL, Channel.SMS, Channel.WECOM, Channel.DINGTALK)


class ChannelPreference(models.Model):
    """Which outbound channels one user wants, and the group robots' keys for the robot channels."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="channel_preference",
                                verbose_name=_("user"))
    email = models.BooleanField(_("e-mail"), default=False)
    sms = models.BooleanField(_("SMS"), default=False)
    wecom = models.BooleanField(_("WeChat Work group robot"), default=False)
    dingtalk = models.BooleanField(_("DingTalk group robot"), default=False)
    wecom_key = models.CharField(_("WeChat Work robot key"), max_length=64, blank=True,
                                 help_text=_("The key=… part of the robot's webhook address."))
    dingtalk_token = models.CharField(_("DingTalk robot access token"), max_length=128, blank=True,
                                      help_text=_("The access_token=… part of the robot's webhook address."))
    dingtalk_secret = models.CharField(_("DingTalk robot signing secret"), max_length=128, blank=True,
                                       help_text=_("The SEC… secret of the robot's signing setting, if it has one."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("channel preference")
        verbose_name_plural = _("channel preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(sorted(self.chosen()))}"

    @classmethod
    def default_for(cls, user) -> "ChannelPreference":
        """The unsaved choice a user has before saving one: the role's default channels."""
        chosen = ROLE_DEFAULTS.get(user.role, {Channel.EMAIL})
        return cls(user=user, **{channel.value: channel in chosen for channel in CHOOSABLE})

    def chosen(self) -> set[str]:
        return {channel.value for channel in CHOOSABLE if getattr(self, channel.value)}
