"""Forms of the warning pages."""
from django import forms
from django.urls import reverse_lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.widgets import SearchSelect


class SilenceForm(forms.Form):
    outlet = forms.ModelChoiceField(queryset=None, label=_("outlet"), widget=SearchSelect(
        url=format_lazy("{}?online_monitored=true", reverse_lazy("api-outlet-list")), label="{enterprise_name} · {code} {name}",
        placeholder=_("Search by enterprise, outlet code or name")))
    starts_at = forms.DateTimeField(label=_("starts at"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, outlets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = outlets


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("reason for closing"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
