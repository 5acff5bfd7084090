"""Pages of the registry import, for bureau staff only: upload and dry run, the dry run's findings
with the confirmation (the import itself runs on the imports queue), the templates and the export of
the registry in them."""
import csv
import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import jurisdiction, tasks
from .models import RegistryImport
from .registry.tables import TABLES
from .services import registry_export, registry_import

MAX_UPLOAD_BYTES = 30 * 1024 * 1024
PROBLEMS_SHOWN = 1000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def bureau_view(view):
    """Login required, then bureau staff only (403 for every other role)."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not jurisdiction.is_bureau(request.user):
            raise PermissionDenied("The registry import is for bureau staff.")
        return view(request, *args, **kwargs)
    return wrapped


def _context(**extra) -> dict:
    return {"active": "registry", "county_wide": True, **extra}


def _download(data: bytes, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@require_http_methods(["GET", "POST"])
@bureau_view
def registry_page(request):
    error = None
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        if not uploads:
            error = _("Choose at least one .xlsx or .csv file.")
        elif sum(f.size for f in uploads) > MAX_UPLOAD_BYTES:
            error = _("The files are larger than %(mb)d MB together.") % {"mb": MAX_UPLOAD_BYTES // 2**20}
        else:
            files = [(f.name, f.read()) for f in uploads]
            record = registry_import.registry_import_check(files=files, user=request.user)
            return redirect("enterprises:registry-import", pk=record.pk)
    imports = RegistryImport.objects.select_related("created_by")[:20]
    return render(request, "enterprises/registry/index.html", _context(
        imports=imports, tables=TABLES, error=error), status=400 if error else 200)


def _counts(summary: dict) -> list[dict]:
    """The counts per table in the order of the template (JSON storage does not keep key order)."""
    return [{"label": label, **summary["counts"][table]} for table, label in registry_import.TABLE_LABELS.items()
            if table in summary["counts"]]


@require_GET
@bureau_view
def import_page(request, pk: int):
    record = get_object_or_404(RegistryImport.objects.select_related("created_by"), pk=pk)
    summary = record.summary
    changes = [dict(c, table=registry_import.TABLE_LABELS[c["table"]],
                    action=registry_import.ACTION_LABELS[c["action"]]) for c in summary.get("changes", [])]
    return render(request, "enterprises/registry/import.html", _context(
        record=record, summary=summary, counts=_counts(summary), changes=changes,
        problems=summary["problems"][:PROBLEMS_SHOWN], more_problems=max(0, len(summary["problems"]) - PROBLEMS_SHOWN),
        can_commit=(record.status == RegistryImport.Status.CHECKED and not summary["problems"]
                    and summary["writes"] > 0)))


@require_POST
@bureau_view
def import_commit(request, pk: int):
    """The confirmation: the import is written by a worker of the imports queue, not in the request."""
    record = get_object_or_404(RegistryImport, pk=pk)
    try:
        registry_import.registry_import_confirm(registry_import=record)
    except registry_import.AlreadyHandled:
        messages.error(request, _("This import has already been handled."))
    else:
        transaction.on_commit(lambda: tasks.queue_commit(pk))  # the page says it is being written
    return redirect("enterprises:registry-import", pk=pk)


@require_GET
@bureau_view
def import_problems_csv(request, pk: int):
    """Every refused row of an import as CSV (the page shows the first ``PROBLEMS_SHOWN``)."""
    record = get_object_or_404(RegistryImport, pk=pk)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Sheet"), _("Row"), _("Column"), _("Value"), _("Reason")])
    for p in record.summary.get("problems", []):
        writer.writerow([p["sheet"], p["row"] or "", p["column"], p["value"], p["reason"]])
    return _download(out.getvalue().encode("utf-8-sig"), f"refused-rows-{pk}.csv", "text/csv; charset=utf-8")


@require_GET
@bureau_view
def template_xlsx(request):
    return _download(registry_export.template_workbook(), "排污许可登记导入模板.xlsx", XLSX)


@require_GET
@bureau_view
def template_csv(request, table: str):
    found = next((t for t in TABLES if t.key == table), None)
    if found is None:
        raise Http404
    return _download(registry_export.template_csv(found), f"{found.sheet}.csv", "text/csv; charset=utf-8")


@require_GET
@bureau_view
def export_xlsx(request):
    return _download(registry_export.export_workbook(), "排污许可登记.xlsx", XLSX)
