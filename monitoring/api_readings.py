"""REST resources of monitoring data (read only): readings and half-hour/hourly aggregates of one
outlet over a bounded time range.

The outlet is looked up within the user's jurisdiction first (``restrict``), so another enterprise's
outlet id answers 404 and no reading of it is ever queried. Ranges are bounded per data kind so one
request never scans more than a few days of real-time data; pages are bounded too.
"""
import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers

from enforcement import clock
from enforcement.api.fields import DateTimeField
from enforcement.api.pagination import LargePagination
from enterprises.jurisdiction import restrict
from enterprises.models import Outlet, Pollutant

from .models import Aggregate, DataFlag, DataKind, Reading

MAX_RANGE = {DataKind.REALTIME: dt.timedelta(days=2), DataKind.MINUTE: dt.timedelta(days=7),
             DataKind.HOUR: dt.timedelta(days=92), DataKind.DAY: dt.timedelta(days=731),
             Aggregate.Period.HALF_HOUR: dt.timedelta(days=31), Aggregate.Period.HOUR: dt.timedelta(days=92)}
DEFAULT_RANGE = dt.timedelta(days=1)


class RangeQuery(serializers.Serializer):
    """Query parameters shared by readings and aggregates."""

    outlet = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    pollutant = serializers.CharField(required=False, max_length=16, help_text=_("HJ 212-2017 code, e.g. w01018"))
    since = DateTimeField(required=False, help_text=_("Start (inclusive); default: a day before until."))
    until = DateTimeField(required=False, help_text=_("End (exclusive); default: now."))

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
    received_at = serializers.DateTimeField()


class AggregateSerializer(serializers.ModelSerializer):
    pollutant = serializers.CharField(source="pollutant.code")

    class Meta:
        model = Aggregate
        fields = ["pollutant", "period", "start", "count", "valid_count", "avg", "min", "max", "updated_at"]


class _OutletSeries(generics.ListAPIView):
    pagination_class = LargePagination
    filter_backends: list = []
    query_class = RangeQuery

    def query(self) -> dict:
        if not hasattr(self, "_query"):
            form = self.query_class(data=self.request.query_params)
            form.is_valid(raise_exception=True)
            self._query = form.validated_data
        return self._query

    def outlet(self) -> Outlet:
        return get_object_or_404(restrict(Outlet.objects.all(), self.request.user), pk=self.query()["outlet"])


class ReadingList(_OutletSeries):
    """Readings of one outlet of my jurisdiction, oldest first."""

    serializer_class = ReadingSerializer
    query_class = ReadingQuery

    @extend_schema(parameters=[ReadingQuery])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reading.objects.none()
        q = self.query()
        qs = Reading.objects.filter(outlet=self.outlet(), kind=q["kind"], observed_at__gte=q["since"],
                                    observed_at__lt=q["until"]).select_related("pollutant")
        if "pollutant" in q:
            qs = qs.filter(pollutant__code=q["pollutant"])
        return qs.order_by("observed_at", "pollutant_id")


class AggregateList(_OutletSeries):
    """Half-hour or hourly aggregates of one outlet of my jurisdiction, oldest first."""

    serializer_class = AggregateSerializer
    query_class = AggregateQuery

    @extend_schema(parameters=[AggregateQuery])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Aggregate.objects.none()
        q = self.query()
        qs = Aggregate.objects.filter(outlet=self.outlet(), period=q["period"], start__gte=q["since"],
                                      start__lt=q["until"]).select_related("pollutant")
        if "pollutant" in q:
            qs = qs.filter(pollutant__code=q["pollutant"])
        return qs.order_by("start", "pollutant_id")
