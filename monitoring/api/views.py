"""REST views of monitoring: readings and aggregates of an outlet, and the bulk upload of readings."""
import csv
import io

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.pagination import LargePagination
from core.api.parsers import JSONParser
from enterprises.jurisdiction import can_access_enterprise, is_bureau, restrict
from enterprises.models import Outlet, Role

from ..models import Aggregate, Reading
from ..services.aggregate_backlog import backlog_caught_up
from ..services.ingest import ingest_rows
from ..services.uploads import row_checker
from ..validity import in_invalid_period
from .serializers import (
    AggregateQuery,
    AggregateSerializer,
    ReadingQuery,
    ReadingSerializer,
)


class _OutletSeries(generics.ListAPIView):
    pagination_class = LargePagination
    filter_backends: list = []
    query_class = ReadingQuery

    def query(self) -> dict:
        if not hasattr(self, "_query"):
            form = self.query_class(data=self.request.query_params)
            form.is_valid(raise_exception=True)
            self._query = form.validated_data
        return self._query

    def outlet(self) -> Outlet:
        return get_object_or_404(restrict(Outlet.objects.all(), self.request.user), pk=self.query()["outlet"])


class ReadingList(_OutletSeries):
    """Readings of one outlet of my jurisdiction, oldest first; ``in_invalid_period``: invalid data by an
    operator's record (a failed calibration or comparison test, a fault) whatever their flag."""

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
                                    observed_at__lt=q["until"]).select_related("pollutant") \
            .annotate(in_invalid_period=in_invalid_period())
        if "pollutant" in q:
            qs = qs.filter(pollutant__code=q["pollutant"])
        return qs.order_by("observed_at", "pollutant_id")


class AggregateList(_OutletSeries):
    """Half-hour or hourly aggregates of one outlet of my jurisdiction, oldest first."""

    serializer_class = AggregateSerializer
    query_class = AggregateQuery

    @extend_schema(parameters=[AggregateQuery])
    def get(self, request, *args, **kwargs):
        backlog_caught_up()  # the windows count every reading acknowledged before the request
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


MAX_ROWS = 50_000


MAX_FILE_BYTES = 20 * 1024 * 1024  # a CSV file is read whole: ~50,000 rows fit in a few MB


def _csv_row(row: dict) -> dict:
    """Empty cells are absent values; cells beyond the header become an unknown field (a row error)."""
    out = {key.strip(): value for key, value in row.items() if key is not None and value not in (None, "")}
    if None in row:
        out["(cells beyond the header)"] = row[None]
    return out


class MayPostReadings(permissions.BasePermission):
    message = _("Only bureau staff and enterprise accounts may send readings.")

    def has_permission(self, request, view):
        user = request.user
        return is_bureau(user) or (user.is_authenticated and user.is_active and user.role == Role.ENTERPRISE
                                   and user.enterprise_id is not None)


def device_checker(user):
    """``may_post(device)`` for this user: county-wide for bureau staff, own outlets for an enterprise."""
    if is_bureau(user):
        return lambda device: True
    return lambda device: device.outlet_id is not None and can_access_enterprise(user, device.outlet.enterprise)


class BulkReadings(APIView):
    """Readings in bulk (JSON or CSV), all or nothing. Bureau staff forward device data (stored as device
    over REST); an enterprise uploads only manual results (``kind: manual``) of its manual monitoring duties,
    not in the future and within the configured age unless a backfill was approved (``services.uploads``)."""

    permission_classes = [permissions.IsAuthenticated, MayPostReadings]
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(request={"application/json": {"type": "array", "items": {"type": "object"}},
                            "multipart/form-data": {"type": "object",
                                                    "properties": {"file": {"type": "string", "format": "binary"}}}},
                   responses={200: OpenApiResponse(description="all rows valid: received / stored / duplicates"),
                              400: OpenApiResponse(description="nothing stored: errors with row, reason, detail")})
    def post(self, request):
        rows, first_row, error = self._rows(request)
        if error:
            return Response({"errors": [{"row": None, "reason": "bad_request", "detail": error}]},
                            status=status.HTTP_400_BAD_REQUEST)
        result = ingest_rows(rows, may_post=device_checker(request.user), source=f"api:{request.user.username}",
                             check_row=row_checker(request.user), entered_by=request.user)
        if result.errors:
            return Response({"received": result.received, "stored": 0,
                             "errors": [{"row": e.row + first_row - 1, "reason": e.reason, "detail": e.detail}
                                        for e in result.errors]},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response({"received": result.received, "stored": result.stored, "duplicates": result.duplicates})

    @staticmethod
    def _rows(request) -> tuple[list, int, str]:
        """(rows, number of the first row, error message)."""
        if "file" in request.FILES:
            if request.FILES["file"].size > MAX_FILE_BYTES:
                return [], 1, f"the CSV file may be at most {MAX_FILE_BYTES // 2**20} MB"
            try:
                text = request.FILES["file"].read().decode("utf-8-sig")
            except UnicodeDecodeError:
                return [], 1, "the CSV file must be UTF-8"
            try:
                rows = [_csv_row(row) for row in csv.DictReader(io.StringIO(text))]
            except csv.Error as exc:
                return [], 1, f"unreadable CSV: {exc}"
            first = 2
        else:
            data = request.data
            rows = data.get("readings") if isinstance(data, dict) else data
            if not isinstance(rows, list):
                return [], 1, "send a JSON list of readings, {\"readings\": [...]}, or a CSV file"
            first = 1
        if not rows:
            return [], first, "no rows"
        if len(rows) > MAX_ROWS:
            return [], first, f"at most {MAX_ROWS} rows per request"
        return rows, first, ""
