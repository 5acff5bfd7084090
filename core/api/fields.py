"""Input fields of the API that PostgreSQL can always store and compare.

Python accepts datetimes PostgreSQL refuses (years near 1 or 9999, UTC offsets beyond ±15:59), which
would end in a database error (a 500) instead of a 400. ``DateTimeField`` (serializers) and
``DateTimeFilter`` (django-filter) accept only years 1900-2199 and hand the value on in UTC.
"""
import datetime as dt

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

FIRST_YEAR, LAST_YEAR = 1900, 2199


def _bounded(value: dt.datetime) -> dt.datetime | None:
    """``value`` in UTC, or None when it is outside the accepted years."""
    if value is None:
        return None
    try:
        utc = value.astimezone(dt.timezone.utc) if value.tzinfo else value
    except (OverflowError, ValueError):
        return None
    return utc if FIRST_YEAR <= utc.year <= LAST_YEAR else None


class DateTimeField(serializers.DateTimeField):
    default_error_messages = {"out_of_range": _("Give a time between the years 1900 and 2199.")}

    def to_internal_value(self, value):
        parsed = super().to_internal_value(value)
        bounded = _bounded(parsed)
        if bounded is None:
            self.fail("out_of_range")
        return bounded


class _BoundedIsoDateTimeFormField(django_filters.fields.IsoDateTimeField):
    def clean(self, value):
        parsed = super().clean(value)
        if parsed is None:
            return None
        bounded = _bounded(parsed)
        if bounded is None:
            raise forms.ValidationError(_("Give a time between the years 1900 and 2199."), code="out_of_range")
        return bounded


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _BoundedIsoDateTimeFormField
