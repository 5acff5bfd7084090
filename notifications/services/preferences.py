"""Saving a user's channel choice, shared by the settings page and the REST endpoint."""
import re

from django.utils.translation import gettext as _

from ..models import ChannelPreference

KEY = re.compile(r"[A-Za-z0-9_-]{8,128}")
SECRET = re.compile(r"SEC[A-Za-z0-9]{8,125}")


class PreferenceError(ValueError):
    """A choice that cannot be saved, with the reason to show (translated)."""


def preference_update(*, user, email: bool, sms: bool, wecom: bool, dingtalk: bool, wecom_key: str = "",
                      dingtalk_token: str = "", dingtalk_secret: str = "") -> ChannelPreference:
    """Save ``user``'s channels. A chosen channel needs its address: e-mail and phone come from the
    account (or, for an enterprise account, the enterprise's contact ones), the robots from their keys."""
    wecom_key, dingtalk_token, dingtalk_secret = wecom_key.strip(), dingtalk_token.strip(), dingtalk_secret.strip()
    enterprise = getattr(user, "enterprise", None)
    if email and not (user.email or (enterprise and enterprise.contact_email)):
        raise PreferenceError(_("E-mail needs an e-mail address on your account."))
    if sms and not (user.phone or (enterprise and enterprise.contact_phone)):
        raise PreferenceError(_("SMS needs a phone number on your account."))
    if wecom_key and not KEY.fullmatch(wecom_key):
        raise PreferenceError(_("The WeChat Work robot key is the key=… part of the robot's address."))
    if wecom and not wecom_key:
        raise PreferenceError(_("The WeChat Work robot needs its key."))
    if dingtalk_token and not KEY.fullmatch(dingtalk_token):
        raise PreferenceError(_("The DingTalk access token is the access_token=… part of the robot's address."))
    if dingtalk and not dingtalk_token:
        raise PreferenceError(_("The DingTalk robot needs its access token."))
    if dingtalk_secret and not SECRET.fullmatch(dingtalk_secret):
        raise PreferenceError(_("The DingTalk signing secret starts with SEC."))
    pref, _created = ChannelPreference.objects.update_or_create(user=user, defaults={
        "email": email, "sms": sms, "wecom": wecom, "dingtalk": dingtalk, "wecom_key": wecom_key,
        "dingtalk_token": dingtalk_token, "dingtalk_secret": dingtalk_secret})
    return pref
