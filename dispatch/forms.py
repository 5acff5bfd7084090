"""Forms of dispatch's web pages: the public complaint form and the work-order action forms."""
from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises import jurisdiction
from enterprises.models import Industry, Township

from .models import Campaign
from .selectors import colour_choices
from .services import photos

MAX_COMPLAINT_PHOTO = 10 * 1024 * 1024


class ComplaintForm(forms.Form):
    township = forms.ModelChoiceField(Township.objects.order_by("code"), label=_("Township"))
    text = forms.CharField(label=_("What did you see?"), widget=forms.Textarea(attrs={"rows": 5}), max_length=2000)
    photo = forms.ImageField(label=_("Photo (optional)"), required=False)
    contact = forms.CharField(label=_("Phone or e-mail (optional, to hear back)"), max_length=100, required=False)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 5:
            raise forms.ValidationError(_("Please describe the problem in a few words."))
        return text

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > MAX_COMPLAINT_PHOTO:
            raise forms.ValidationError(_("The photo may be at most 10 MB."))
        if photo:
            photos.check_photo(photo)
        return photo


class FixedAnswerForm(forms.Form):
    fixed = forms.TypedChoiceField(label=_("Is it fixed?"), coerce=lambda v: v == "yes",
                                   choices=[("yes", _("Yes, it is fixed")), ("no", _("No, it is not fixed"))],
                                   widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment (optional)"), max_length=1000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ActionForm(forms.Form):
    action = forms.CharField(max_length=16)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PlanForm(forms.Form):
    plan_text = forms.CharField(label=_("Rectification plan"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    completion_date = forms.DateField(label=_("Completion date"), widget=forms.DateInput(attrs={"type": "date"}))


class FeedbackForm(forms.Form):
    text = forms.CharField(label=_("What was done"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    client_uuid = forms.UUIDField(widget=forms.HiddenInput)


class CampaignForm(forms.Form):
    """A self-check campaign: which enterprises (empty choices mean all), once or monthly."""

    title = forms.CharField(label=_("Title"), max_length=120)
    township = forms.ModelChoiceField(Township.objects.order_by("code"), label=_("Township"), required=False,
                                      empty_label=_("All townships"))
    industry = forms.ModelChoiceField(Industry.objects.order_by("code"), label=_("Industry"), required=False,
                                      empty_label=_("All industries"))
    colour = forms.ChoiceField(label=_("Eco-code colour"), required=False)
    schedule = forms.ChoiceField(label=_("Schedule"), choices=Campaign.Schedule.choices)
    due_days = forms.IntegerField(label=_("Days to complete"), min_value=1, max_value=90, initial=14)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["colour"].choices = [("", _("All colours")), *colour_choices()]
        if user is not None and not jurisdiction.is_bureau(user):
            self.fields["township"].queryset = Township.objects.filter(pk=user.township_id)
            self.fields["township"].empty_label = None
