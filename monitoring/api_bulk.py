"""``POST /api/v1/readings/bulk/``: bulk readings for devices and vendors that do not speak HJ 212.

Body: a JSON list of rows (or ``{"readings": [...]}``), or a multipart upload with a CSV ``file`` whose
header names the same fields: ``mn, pollutant, observed_at, kind`` (realtime/minute/hour/day) and any of
``rtd, avg, min, max, cou, zs_rtd, zs_avg, zs_min, zs_max, flag, sampled_at``. Times are ISO 8601
(naive = Asia/Shanghai) or ``YYYYMMDDhhmmss``; pollutant codes are 2017 or 2005 codes.

All or nothing, like an HJ 212 packet: 200 ``{received, stored, duplicates}`` when every row is valid
(a row sent again is counted as a duplicate, not stored twice), otherwise 400 ``{errors: [{row, reason,
detail}]}`` and nothing stored. ``row`` is the 1-based position in the JSON list, or the CSV line number
(the header is line 1). Who may post: bureau staff for any device; an enterprise account only for the
devices on its own outlets (checked through ``enterprises.jurisdiction``); nobody else.
"""
import csv
import io

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from enforcement.api.parsers import JSONParser
from enterprises.jurisdiction import can_access_enterprise, is_bureau
from enterprises.models import Role

from .services.ingest import ingest_rows

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
        result = ingest_rows(rows, may_post=device_checker(request.user), source=f"api:{request.user.username}")
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
