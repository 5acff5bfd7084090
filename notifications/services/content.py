"""What a delivery says: one notification, or a digest listing the repeats (or the storm) of one cycle.

Every channel renders the same ``Content`` in its own format and length: e-mail in full, the robots
as markdown within their byte limits, SMS within one text (``notifications.sms.fit``).
"""
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Delivery

# The robots' documented limits on one markdown message, in UTF-8 bytes.
MARKDOWN_LIMIT = 4096


@dataclass
class Content:
    title: str
    items: list  # the notifications told about (one, or those of a digest)
    body: str = ""

    @property
    def is_digest(self) -> bool:
        return len(self.items) > 1


def content_of(delivery: Delivery) -> Content:
    if delivery.digest_id is None:
        note = delivery.notification
        return Content(title=note.subject, items=[note], body=note.body)
    items = list(delivery.digest.notifications.order_by("created_at", "id"))
    if all(note.kind in settings.NOTIFY_DIGEST_KINDS for note in items):
        title = ngettext("[Digest] %(n)d reminder still open", "[Digest] %(n)d reminders still open",
                         len(items)) % {"n": len(items)}
    else:  # a storm: first warnings, alarms and the rest of one cycle together
        title = ngettext("[Digest] %(n)d new notification", "[Digest] %(n)d new notifications",
                         len(items)) % {"n": len(items)}
    return Content(title=title, items=items)


def link(url: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}{url}" if url else ""


def plain_text(content: Content) -> str:
    """The e-mail body: the message and its link, or one line and link per item of a digest."""
    if not content.is_digest:
        note = content.items[0]
        return note.body + (f"\n\n{link(note.url)}" if note.url else "")
    lines = [f"{i}. {note.subject}" + (f"\n   {link(note.url)}" if note.url else "")
             for i, note in enumerate(content.items, 1)]
    return "\n".join([content.title, "", *lines])


def markdown(content: Content, limit: int = MARKDOWN_LIMIT) -> str:
    """A robot's markdown: the title, then the message or the digest's items, cut to ``limit`` bytes
    with a line saying how many were left out."""
    head = f"### {content.title}\n"
    if not content.is_digest:
        note = content.items[0]
        lines = [note.body] if note.body and note.body != note.subject else []
        if note.url:
            label = _("Open in the platform")
            lines.append(f"[{label}]({link(note.url)})")
        return _cut((head + "\n".join(lines)).rstrip("\n"), limit)
    text = head
    for i, note in enumerate(content.items):
        line = f"> {i + 1}. " + (f"[{note.subject}]({link(note.url)})" if note.url else note.subject) + "\n"
        rest = len(content.items) - i
        tail = _("…and %(n)d more in the platform") % {"n": rest}
        if len((text + line + tail).encode()) > limit:
            return text + tail
        text += line
    return text.rstrip("\n")


def _cut(text: str, limit: int) -> str:
    raw = text.encode()
    return text if len(raw) <= limit else raw[:limit - 3].decode(errors="ignore") + "…"


def short_text(content: Content) -> str:
    """The words of an SMS before fitting: the subject, or the digest's count and its first item."""
    if not content.is_digest:
        return content.items[0].subject
    return _("%(title)s: %(first)s and others") % {"title": content.title, "first": content.items[0].subject}
