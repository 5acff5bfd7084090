"""Forms of the eco-code: the complaint form of the public page, the objection and credit-repair forms of
the enterprise and the decision form of the reviewing staff."""
from django import forms
from django.utils.translation import gettext_lazy as _

from dispatch.services import photos

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


class ComplaintForm(forms.Form):
    text = forms.CharField(label=_("What did you see, smell or hear?"), min_length=5, max_length=1000,
                           widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}))
    photo = forms.ImageField(label=_("Photo (optional, JPEG/PNG/WebP, at most 5 MB)"), required=False)
    contact = forms.CharField(label=_("Phone or e-mail (optional, only the bureau sees it)"), max_length=100,
                              required=False)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 5:
            raise forms.ValidationError(_("Please describe the problem in at least 5 characters."))
        return text

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if not photo:
            return None
        if photo.size > MAX_PHOTO_BYTES:
            raise forms.ValidationError(_("The photo may be at most 5 MB."))
        if getattr(photo, "image", None) is None or photo.image.format not in PHOTO_FORMATS:
            raise forms.ValidationError(_("The photo must be a JPEG, PNG or WebP image."))
        photos.check_photo(photo)
        return photo


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (attachments of an objection or a repair application)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ObjectionForm(forms.Form):
    reasons = forms.CharField(label=_("Why the deduction is wrong"), min_length=10, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label=_("Supporting documents (up to 5 files, 10 MB each)"))


class RepairForm(forms.Form):
    correction = forms.CharField(label=_("What was corrected"), min_length=10, max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    corrected_on = forms.DateField(label=_("Corrected on"), widget=forms.DateInput(attrs={"type": "date"}))
    reasons = forms.CharField(label=_("Why the credit should be repaired"), min_length=10, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}))
    files = MultipleFileField(label=_("Evidence of the correction (required, up to 5 files, 10 MB each)"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=[("accept", _("accept")), ("reject", _("reject"))],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason for the decision"), min_length=4, max_length=4000,
                             widget=forms.Textarea(attrs={"rows": 3}))
