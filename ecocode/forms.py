"""The complaint form of the public page."""
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
