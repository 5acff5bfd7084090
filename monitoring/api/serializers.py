"""Serializers of the monitoring API."""
import datetime as dt
import re

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core import clock
from core.api.fields import DateTimeField
from enterprises.models import Pollutant

from ..models import Aggregate, DataFlag, DataKind

MAX_RANGE = {DataKind.REALTIME: dt.timedelta(days=2), DataKind.MINUTE: dt.timedelta(days=7),
             DataKind.HOUR: dt.timedelta(days=92), DataKind.DAY: dt.timedelta(days=731),
             Aggregate.Period.HALF_HOUR: dt.timedelta(days=31), Aggregate.Period.HOUR: dt.timedelta(days=92)}
DEFAULT_RANGE = dt.timedelta(days=1)
# A time with a UTC offset whose "+" an unencoded query string turned into a space: "2026-06-01T08:00:00 08:00".
_SPACED_OFFSET = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")


class RangeBoundField(DateTimeField):
    """A bound of a range in ISO 8601: without an offset it is local time (``TIME_ZONE``); an offset written
    after a space is the "+" offset a client sent unencoded (a "+" in a query string reads as a space)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and (spaced := _SPACED_OFFSET.match(value.strip())):
            value = f"{spaced[1]}+{spaced[2]}"
        return super().to_internal_value(value)


class RangeQuery(serializers.Serializer):
    """Query parameters shared by readings and aggregates."""

    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    pollutant = serializers.CharField(required=False, max_length=16, help_text=_("HJ 212-2017 code, e.g. w01018"))
    since = RangeBoundField(required=False, help_text=_("Start (inclusive); default: a day before until."))
    until = RangeBoundField(required=False, help_text=_("End (exclusive); default: now."))

    span_field = "kind"

    def validate(self, attrs):
        until = attrs.get("until") or clock.now()
        since = attrs.get("since") or until - DEFAULT_RANGE
        if since >= until:
            raise serializers.ValidationError({"since": [_("Must be before until.")]}, code="invalid_range")
        longest = MAX_RANGE[attrs[self.span_field]]
        if until - since > longest:
            raise serializers.ValidationError(
                {"until": [_("At most %(days)d day(s) of this data per request.") % {"days": longest.days}]},
                code="range_too_long")
        if "pollutant" in attrs and not Pollutant.objects.filter(code=attrs["pollutant"]).exists():
            raise serializers.ValidationError({"pollutant": [_("Unknown pollutant code.")]}, code="invalid")
        attrs["since"], attrs["until"] = since, until
        return attrs


class ReadingQuery(RangeQuery):
    kind = serializers.ChoiceField(choices=DataKind.choices, default=DataKind.HOUR)


class AggregateQuery(RangeQuery):
    period = serializers.ChoiceField(choices=Aggregate.Period.choices, default=Aggregate.Period.HOUR)
    span_field = "period"


class ReadingSerializer(serializers.Serializer):
    pollutant = serializers.CharField(source="pollutant.code")
    kind = serializers.ChoiceField(choices=DataKind.choices)
    observed_at = serializers.DateTimeField()
    value = serializers.FloatField(allow_null=True)
    rtd = serializers.FloatField(allow_null=True)
    avg = serializers.FloatField(allow_null=True)
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    cou = serializers.FloatField(allow_null=True)
    flag = serializers.ChoiceField(choices=DataFlag.choices)
    in_invalid_period = serializers.BooleanField(help_text=_(
        "Inside an invalid period of the device by an operator's record (failed calibration or comparison test, "
        "fault): not valid data whatever the flag."))
    received_at = serializers.DateTimeField()


class AggregateSerializer(serializers.ModelSerializer):
    pollutant = serializers.CharField(source="pollutant.code")

    class Meta:
        model = Aggregate
        fields = ["pollutant", "period", "start", "count", "valid_count", "avg", "min", "max", "updated_at"]
