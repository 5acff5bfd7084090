"""Forms of the case page (one per step: file, hearing notice, hearing held, decide, execute, drop), of
joint inspections (invite, a party's part, its signature), of the off-site inspection and of the
enterprise's answer to its on-site record."""
from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Township

from .models import DiscretionArticle, Inspection, OffSiteLine

DATE = forms.DateInput(attrs={"type": "date"})


class FileForm(forms.Form):
    filing_number = forms.CharField(label=_("filing number"), max_length=64)
    article = forms.ModelChoiceField(DiscretionArticle.objects.all(), label=_("legal basis"))
    filed_on = forms.DateField(label=_("filed on"), widget=DATE)


class HearingNoticeForm(forms.Form):
    notified_on = forms.DateField(label=_("hearing notice served on"), widget=DATE)


class HearingHeldForm(forms.Form):
    held_on = forms.DateField(label=_("hearing held on"), widget=DATE)


class DecideForm(forms.Form):
    decision_number = forms.CharField(label=_("decision number"), max_length=64)
    decided_on = forms.DateField(label=_("decided on"), widget=DATE)
    amount = forms.DecimalField(label=_("amount (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    measures = forms.CharField(label=_("other measures"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    discretion_reason = forms.CharField(label=_("why this amount"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 2}))


class ExecuteForm(forms.Form):
    executed_on = forms.DateField(label=_("executed on"), widget=DATE)
    amount_paid = forms.DecimalField(label=_("amount paid (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("execution"), required=False)


class DropForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


#: step -> (form, states of the case in which it is offered)
STEPS = {
    "file": (FileForm, ("lead",)),
    "drop": (DropForm, ("lead",)),
    "notify_hearing": (HearingNoticeForm, ("filed",)),
    "record_hearing": (HearingHeldForm, ("hearing",)),
    "decide": (DecideForm, ("filed", "hearing")),
    "execute": (ExecuteForm, ("decided",)),
}


class JointInviteForm(forms.Form):
    """Invite to a joint inspection (the enterprise by its credit code)."""
    credit_code = forms.CharField(label=_("unified social credit code"), max_length=18)
    planned_on = forms.DateField(label=_("planned on"), widget=DATE)
    purpose = forms.CharField(label=_("purpose"), widget=forms.Textarea(attrs={"rows": 2}))
    townships = forms.ModelMultipleChoiceField(Township.objects.order_by("code"), label=_("township enforcement teams"),
                                               required=False)
    counties = forms.CharField(label=_("neighbouring counties (one bureau per line)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))


class JointPartForm(forms.Form):
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea(attrs={"rows": 3}))
    problems_found = forms.IntegerField(label=_("problems found"), min_value=0, initial=0)


class JointSignForm(forms.Form):
    signer_name = forms.CharField(label=_("signed by"), max_length=64, required=False)


NOT_REVIEWED = ""


class OffSiteForm(forms.Form):
    """An off-site inspection: per kind of evidence, not reviewed / no problem / problem found with the
    finding; the time spent; the conclusion; whether a case lead was found."""

    started_at = forms.DateTimeField(label=_("review started at"),
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ended_at = forms.DateTimeField(label=_("review ended at"),
                                   widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    conclusion = forms.CharField(label=_("conclusion"), widget=forms.Textarea(attrs={"rows": 3}))
    case_lead = forms.BooleanField(label=_("case lead found (opens a case lead)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(NOT_REVIEWED, _("not reviewed")), *OffSiteLine.Result.choices]
        for basis, label in Inspection.Basis.choices:
            self.fields[f"{basis}_result"] = forms.ChoiceField(label=label, choices=choices, required=False,
                                                               widget=forms.RadioSelect, initial=NOT_REVIEWED)
            self.fields[f"{basis}_note"] = forms.CharField(label=_("finding"), required=False,
                                                           widget=forms.Textarea(attrs={"rows": 2}))

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("started_at", "ended_at", "conclusion", "case_lead")]

    def line_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(label, self[f"{basis}_result"], self[f"{basis}_note"]) for basis, label in Inspection.Basis.choices]

    def lines(self) -> list[dict]:
        """The reviewed lines for ``services.inspection_record_off_site``."""
        d = self.cleaned_data
        return [{"basis": basis, "result": d[f"{basis}_result"], "note": d[f"{basis}_note"]}
                for basis in Inspection.Basis.values if d.get(f"{basis}_result")]


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("reason for the dispute"), widget=forms.Textarea(attrs={"rows": 3}))


class ConfirmForm(forms.Form):
    """Enforcement staff record who signed the paper record for the enterprise (its account confirms
    without a name)."""
    confirmed_by = forms.CharField(label=_("confirmed for the enterprise by"), max_length=64)
