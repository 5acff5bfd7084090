"""What the enterprise is told when its colour changes: why (the deductions that weigh most), what to do
(correct, object, apply for credit repair) and where (links to the deductions and to the objection
form). Sent for all changes of a run in one batch (``notify_many``); a first colour is recorded, not
announced. The texts are msgids, rendered in the platform's language (zh-Hans) when the notice is made."""
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from enterprises.models import Enterprise
from notifications.services import Message, notify_many

from ..models import Colour

NAMES = {"green": N_("green code"), "blue": N_("blue code"), "yellow": N_("yellow code"),
         "orange": N_("orange code"), "red": N_("red code"), "grey": N_("grey code (insufficient data)")}
MOST = 3  # deductions named in the notice


def _name(colour: str) -> str:
    return _(NAMES[colour]) if colour in NAMES else colour


def _why(score) -> str:
    charged = [e for e in score.explanation if e["points"] > 0][:MOST]
    if not charged:
        return _("No deductions at present.")
    items = _("; ").join(_("%(code)s %(name)s (%(points)s points)")
                         % {"code": e["code"], "name": e["name"], "points": f"{e['points']:g}"} for e in charged)
    return _("Main deductions: %(items)s.") % {"items": items}


def _what(change) -> str:
    if change.to_colour == Colour.GREY:
        return _("The platform lacks enough data on your enterprise to score it: submit the execution reports "
                 "on time and keep the online monitoring devices connected and reporting.")
    scored = Colour.scored()
    if change.from_colour in scored and scored.index(change.to_colour) <= scored.index(change.from_colour):
        return _("Please keep it up.")
    return _("Correct the deductions listed; if you disagree with a deduction, object on the platform with "
             "supporting documents; once corrected and after the stated waiting period, you may apply for "
             "credit repair.")


def message_for(change, enterprise) -> Message:
    detail = reverse("ecocode:detail", args=[change.enterprise_id])
    objection = reverse("ecocode:objection_new", args=[change.enterprise_id])
    names = {"old": _name(change.from_colour), "new": _name(change.to_colour)}
    subject = _("Eco-code changed from %(old)s to %(new)s") % names
    body = (_("Your enterprise's eco-code score is %(score)s points; its colour changed from %(old)s to %(new)s.")
            % {**names, "score": change.score.score} + _why(change.score) + _what(change) + "\n"
            + _("Deductions: %(url)s") % {"url": f"{detail}#deductions"} + "\n"
            + _("Object: %(url)s") % {"url": objection})
    return Message(kind="ecocode.colour", enterprise=enterprise, subject=subject, body=body, url=f"{detail}#deductions",
                   source=f"ecocode:score:{change.score.pk}", dedup_key=f"ecocode:colour:{change.score.pk}")


def colour_changed(changes) -> int:
    """Notify every enterprise whose colour changed (not first colours). Returns how many were told."""
    changed = [c for c in changes if c.from_colour]
    if not changed:
        return 0
    enterprises = Enterprise.objects.in_bulk([c.enterprise_id for c in changed])
    with translation.override(settings.LANGUAGE_CODE):  # stored as the enterprise reads it, whoever triggered
        return len(notify_many(message_for(c, enterprises[c.enterprise_id]) for c in changed))
