"""Where a notification goes: each recipient's chosen channels and addresses, looked up for a whole batch.

A notification to a user goes over that user's chosen channels (``ChannelPreference``, or the role's
defaults until one is saved). One to an enterprise goes to each of its active accounts the same way,
an account without its own e-mail or phone using the enterprise's contact ones; an enterprise with no
account gets e-mail at its contact address. A channel with no address is skipped. The integration
webhook (``NOTIFY_WEBHOOK_URL``) gets everything.
"""
from collections import defaultdict

from django.conf import settings

from enterprises.models import Enterprise, Role, User

from ..models import Channel, ChannelPreference

Target = tuple[str, str, int | None]  # channel, address, the account that chose it


def preferences(users) -> dict[int, ChannelPreference]:
    """Each user's saved choice, or the role's default."""
    saved = {p.user_id: p for p in ChannelPreference.objects.filter(user__in=[u.pk for u in users])}
    return {u.pk: saved.get(u.pk) or ChannelPreference.default_for(u) for u in users}


def _addresses(pref: ChannelPreference, user, email: str, phone: str) -> list[Target]:
    address = {Channel.EMAIL: user.email or email, Channel.SMS: user.phone or phone,
               Channel.WECOM: pref.wecom_key, Channel.DINGTALK: pref.dingtalk_token}
    return [(channel, address[channel], user.pk) for channel in sorted(pref.chosen()) if address[channel]]


def targets(recipients: set[tuple[int | None, int | None]]) -> dict[tuple, list[Target]]:
    """The outbound targets of each (enterprise_id, user_id) recipient, in a few queries."""
    enterprise_ids = {e for e, _ in recipients if e}
    user_ids = {u for _, u in recipients if u}
    accounts = list(User.objects.filter(enterprise_id__in=enterprise_ids, role=Role.ENTERPRISE, is_active=True)
                    .select_related("enterprise")) if enterprise_ids else []
    people = {u.pk: u for u in User.objects.filter(pk__in=user_ids, is_active=True)} if user_ids else {}
    prefs = preferences([*accounts, *people.values()])
    by_enterprise = defaultdict(list)
    for account in accounts:
        by_enterprise[account.enterprise_id].append(account)
    contacts = {e.pk: e for e in Enterprise.objects.filter(pk__in=enterprise_ids)
                .only("contact_email", "contact_phone")} if enterprise_ids else {}
    result = {}
    for enterprise_id, user_id in recipients:
        found: list[Target] = []
        if user_id:
            if user_id in people:
                found = _addresses(prefs[user_id], people[user_id], "", "")
        elif by_enterprise.get(enterprise_id):
            contact = contacts[enterprise_id]
            for account in by_enterprise[enterprise_id]:
                found += _addresses(prefs[account.pk], account, contact.contact_email, contact.contact_phone)
        elif contacts.get(enterprise_id) and contacts[enterprise_id].contact_email:
            found = [(Channel.EMAIL, contacts[enterprise_id].contact_email, None)]
        if settings.NOTIFY_WEBHOOK_URL:
            found.append((Channel.WEBHOOK, settings.NOTIFY_WEBHOOK_URL, None))
        unique, seen = [], set()
        for channel, address, account in found:
            if (channel, address) not in seen:
                seen.add((channel, address))
                unique.append((channel, address, account))
        result[(enterprise_id, user_id)] = unique
    return result
