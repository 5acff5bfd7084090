"""Forms of the waste pages: drafting a manifest, the receiver's confirmation or refusal, closing a warning."""
from django import forms
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise

from .models import Facility, Manifest, Vehicle, WasteCategory


class ManifestForm(forms.ModelForm):
    class Meta:
        model = Manifest
        fields = ["category", "quantity", "unit", "packaging", "carrier", "vehicle", "receiver", "planned_departure",
                  "planned_arrival"]
        widgets = {"planned_departure": forms.DateTimeInput(attrs={"type": "datetime-local"}),
                   "planned_arrival": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = WasteCategory.objects.all()
        carriers = Vehicle.objects.values("carrier_id")
        self.fields["carrier"].queryset = Enterprise.objects.filter(pk__in=carriers).order_by("name")
        self.fields["vehicle"].queryset = Vehicle.objects.select_related("carrier")
        self.fields["receiver"].queryset = Facility.objects.all()


class ReceiveForm(forms.Form):
    quantity = forms.DecimalField(label=_("quantity received"), min_value=0, max_digits=12, decimal_places=3)


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("reason for refusal"), widget=forms.Textarea(attrs={"rows": 2}))


class CloseAlertForm(forms.Form):
    reason = forms.CharField(label=_("reason for closing"),
                             widget=forms.TextInput(attrs={"placeholder": _("reason for closing"), "size": 16}))
