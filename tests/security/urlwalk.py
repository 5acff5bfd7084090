"""Every URL pattern of the project, with its path parameters filled from township B's objects."""
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


@dataclass
class Route:
    pattern: str      # the joined pattern, e.g. "api/v1/^alerts/(?P<pk>[^/.]+)/$"
    name: str         # namespaced name ("" for unnamed patterns)
    params: list

    @property
    def admin(self) -> bool:
        return self.pattern.startswith("admin/")


def routes() -> list[Route]:
    out = []

    def walk(resolver, prefix, ns):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                walk(p, prefix + str(p.pattern), f"{ns}{p.namespace}:" if p.namespace else ns)
            elif isinstance(p, URLPattern):
                pattern = prefix + str(p.pattern)
                params = [a or b for a, b in PARAM.findall(pattern)]
                out.append(Route(pattern, f"{ns}{p.name}" if p.name else "", params))

    walk(get_resolver(), "", "")
    return out


def _pk_for(pattern: str, w) -> object:
    """The township-B object a ``pk`` in ``pattern`` stands for."""
    table = [
        ("alerts/", w.alert_b), ("alerts/silences/", w.silence_b),
        ("ecocode/enterprise/", w.ent_b), ("dispatch/orders/", w.order_b), ("dispatch/attachments/", w.attachment_b),
        ("dispatch/complaints/", w.complaint_b),
        ("dashboard/outlets/", w.out_b), ("dashboard/tracing/", w.station_b),
        ("dashboard/api/enterprises/", w.ent_b), ("dashboard/api/outlets/", w.out_b),
        ("dashboard/api/tracing/", w.station_b),
        ("enforcement/enterprises/", w.ent_b), ("enforcement/cases/", w.case_b),
        ("enforcement/inspections/", w.inspection_b), ("^cases/", w.case_b), ("^inspections/", w.inspection_b),
        ("^planned-inspections/", w.planned_b),
        ("enterprises/registry/imports/", w.ent_b),  # not jurisdiction-bound: any id (bureau staff only)
        ("^enterprises/", w.ent_b), ("^permits/", w.permit_b), ("^outlets/", w.out_b), ("^alerts/", w.alert_b),
        ("^notifications/", w.notes["township_b"]), ("^silences/", w.silence_b),
        ("^ecocode/colour-changes/", w.change_b), ("^work-orders/", w.order_b), ("^feedbacks/", w.feedback_b),
        ("^checklists/", w.checklist_b), ("^rounds/", w.round_b), ("^self-check-notices/", w.notice_b),
        ("^self-check-campaigns/", w.campaign_b),
        ("^complaints/", w.complaint_b), ("waste/warnings/", w.waste_alert_b), ("waste/", w.manifest_b),
        ("ecocode/reviews/", w.objection_b),
        ("ecocode/attachments/", w.review_attachment_b), ("^ecocode/objections/", w.objection_b),
        ("^ecocode/repairs/", w.repair_b),
        ("outreach/questions/files/", w.question_file_b), ("outreach/questions/", w.question_b),
        ("outreach/articles/", w.article_b), ("outreach/exams/", w.exam), ("outreach/attempts/", w.attempt_b),
        ("outreach/reports/enterprise/", w.ent_b), ("outreach/assessment/", w.assessment_b),
        ("outreach/health/items/", w.remedy_b), ("outreach/health/", w.health_b),
        ("^questions/", w.question_b), ("^faq/", w.faq_b), ("^received-articles/", w.receipt_b),
        ("^exams/", w.exam), ("^exam-attempts/", w.attempt_b),
        ("enforcement/joint/", w.joint_b), ("^joint-inspections/", w.joint_b), ("^joint-parts/", w.joint_part_b),
        ("^device-checks/", w.device_check_b),
    ]
    for prefix, obj in table:
        if prefix in pattern:
            return obj.pk
    raise LookupError(f"no township-B object for {pattern}")


def _admin_object(pattern: str, w) -> object:
    """Any object of the admin page's model, township B's when it has one."""
    m = re.match(r"admin/(\w+)/(\w+)/", pattern)
    model = ContentType.objects.get_by_natural_key(*m.groups()).model_class()
    names = {f.name for f in model._meta.get_fields()}
    qs = model._default_manager.all()
    if "enterprise" in names:
        qs = qs.filter(enterprise=w.ent_b) if qs.filter(enterprise=w.ent_b).exists() else qs
    obj = qs.first()
    return obj.pk if obj else 1


def fill(route: Route, w) -> str:
    def value(name):
        pattern = route.pattern
        if name == "pk":
            return _pk_for(pattern, w)
        if name == "object_id":
            return w.ent_b.pk if "view_on_site" in route.name or pattern.startswith("admin/r/") else \
                _admin_object(pattern, w)
        return {
            "content_type_id": ContentType.objects.get_for_model(type(w.ent_b)).pk,
            "id": w.users["township_b"].pk, "app_label": "enterprises", "url": "no-such-page/",
            "token": w.ent_b.eco_code.token, "access_token": w.complaint_b.access_token,
            "enterprise": w.ent_b.pk, "colour": "red", "client_uuid": w.draft_b.client_uuid, "line": 1,
            "path": w.attachment_b.file.name, "uidb64": "MQ", "attachment_id": w.attachment_b.pk, "fmt": "pdf",
            "officer_id": w.users["enforcement"].pk, "column": "case_leads",
            "table": "basic", "step": "sign",
            "kind": "objection" if "reviews/" in pattern else "complaint", "ident": w.complaint_b.pk,
        }[name]

    def sub(m):
        return str(value(m.group(1) or m.group(2)))

    path = PARAM.sub(sub, route.pattern)
    return "/" + path.replace("^", "").replace("$", "")
