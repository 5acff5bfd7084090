"""Forms of the case page (one per step: file, hearing notice, hearing held, decide, execute, drop) and of
joint inspections (invite, a party's part, its signature)."""
from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Township

from .models import DiscretionArticle

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
