"""The endpoint tables of the permission tests (NetBox style: generic checks in ``test_permissions``,
one declaration per endpoint here).

``Detail``/``Action``: one request per role, expected status per role; every role not allowed gets 403
(role refused) or 404 (object outside the jurisdiction, or not the user's own). ``Listing``: every role
gets 200 and sees exactly the declared objects of the enterprises of its jurisdiction.
"""
import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from django.core.files.uploadedfile import SimpleUploadedFile

from dispatch import services
from dispatch.models import Round
from fieldsync.models import RoundDraft

from .conftest import T0, jpeg_bytes

ROLES = ("bureau", "enforcement", "township_a", "township_b", "grid_a", "ent_a", "ent_b")
# Which enterprises (by key) each role sees: a = ent_a (township A, no grid), g = ent_g (grid A), b = ent_b.
SEES = {"bureau": "agb", "enforcement": "agb", "township_a": "ag", "township_b": "b", "grid_a": "g",
        "ent_a": "a", "ent_b": "b"}
SEES_A = frozenset(r for r, s in SEES.items() if "a" in s)
STAFF = frozenset({"bureau", "enforcement", "township_a", "township_b", "grid_a"})


def expect(ok: dict | set | frozenset, status: int = 200, forbidden=()) -> dict:
    """Expected status per role: ``ok`` roles get ``status`` (or their own in a dict), ``forbidden``
    roles 403, every other role 404."""
    table = {role: 404 for role in ROLES}
    table.update({role: 403 for role in forbidden})
    table.update(ok if isinstance(ok, dict) else {role: status for role in ok})
    return table


@dataclass
class Detail:
    name: str
    path: Callable
    expected: dict
    method: str = "get"
    body: Callable | None = None
    setup: Callable | None = None
    multipart: bool = False


Action = Detail


@dataclass
class Listing:
    name: str
    path: Callable
    objects: Callable  # (world, ctx) -> {id: enterprise key or owner role}
    by_owner: bool = False  # objects keyed by the role that owns them (inbox), not by enterprise
    staff_only: bool = False
    id_field: str = "id"
    setup: Callable | None = None
    extra: dict = field(default_factory=dict)


# --- setups: state some endpoints need (run once, before the per-role requests) ----------------

def fed_back(w) -> dict:
    officer = w.users["township_a"]
    for step in ("accept", "start"):
        services.work_order_act(order_id=w.order_a.pk, action=step, user=officer)
    services.feedback_submit(order_id=w.order_a.pk, user=officer, text="已整改")
    return {}


def handling(w) -> dict:
    officer = w.users["township_a"]
    for step in ("accept", "start"):
        services.work_order_act(order_id=w.order_a.pk, action=step, user=officer)
    return {}


def pending_file(w) -> dict:
    handling(w)
    feedback, _ = services.feedback_submit(order_id=w.order_a.pk, user=w.users["township_a"], text="见照片",
                                           declared_files=1)
    return {"feedback": feedback.pk}


def draft(w) -> dict:
    from dispatch.services.round_drafts import round_draft_start

    d, _ = round_draft_start(user=w.users["township_a"], kind=Round.Kind.PATROL, enterprise=w.ent_a)
    return {"draft": d.client_uuid, "line": d.checklist.lines.first().pk}


def filled_draft(w) -> dict:
    ctx = draft(w)
    d = RoundDraft.objects.get(client_uuid=ctx["draft"])
    d.answers = {str(line.pk): {"result": "pass", "note": ""} for line in d.checklist.lines.all()}
    d.save()
    return ctx


def submitted_round(w) -> dict:
    from dispatch.services.checklists import round_submit

    ctx = filled_draft(w)
    d = RoundDraft.objects.get(client_uuid=ctx["draft"])
    rnd, _ = round_submit(kind=d.kind, checklist=d.checklist, user=d.started_by, client_uuid=d.client_uuid,
                          answers=[{"line": int(k), **v} for k, v in d.answers.items()])
    return {**ctx, "round": rnd.pk}


def silence(w) -> dict:
    from alerts.services import silence_declare

    window = silence_declare(outlet=w.out_a, user=w.users["ent_a"], starts_at=T0 + dt.timedelta(hours=1),
                             ends_at=T0 + dt.timedelta(hours=3), reason="检修")
    return {"silence": window.pk}


def photo(_w=None, _ctx=None) -> dict:
    return {"file": SimpleUploadedFile("p.jpg", jpeg_bytes(3), content_type="image/jpeg")}


# --- the tables ------------------------------------------------------------------------------

DETAILS = [
    Detail("me", lambda w, c: "/api/v1/auth/me/", expect(set(ROLES))),
    Detail("enterprise", lambda w, c: f"/api/v1/enterprises/{w.ent_a.pk}/", expect(SEES_A)),
    Detail("enterprise of grid", lambda w, c: f"/api/v1/enterprises/{w.ent_g.pk}/",
           expect({"bureau", "enforcement", "township_a", "grid_a"})),
    Detail("permit", lambda w, c: f"/api/v1/permits/{w.out_a.permit_id}/", expect(SEES_A)),
    Detail("outlet", lambda w, c: f"/api/v1/outlets/{w.out_a.pk}/", expect(SEES_A)),
    Detail("readings", lambda w, c: f"/api/v1/readings/?outlet={w.out_a.pk}&kind=minute", expect(SEES_A)),
    Detail("aggregates", lambda w, c: f"/api/v1/aggregates/?outlet={w.out_a.pk}", expect(SEES_A)),
    Detail("alert", lambda w, c: f"/api/v1/alerts/{w.alert_a.pk}/", expect(SEES_A)),
    Detail("eco-code", lambda w, c: f"/api/v1/ecocode/codes/{w.ent_a.pk}/", expect(SEES_A)),
    Detail("work order", lambda w, c: f"/api/v1/work-orders/{w.order_a.pk}/", expect(SEES_A)),
    Detail("feedback", lambda w, c: f"/api/v1/feedbacks/{c['feedback']}/", expect(SEES_A), setup=pending_file),
    Detail("current checklist", lambda w, c: f"/api/v1/checklists/current/?enterprise={w.ent_a.pk}",
           expect(SEES_A)),
    Detail("checklist", lambda w, c: f"/api/v1/checklists/{w.notice_a.checklist_id}/", expect(SEES_A)),
    Detail("round draft", lambda w, c: f"/api/v1/round-drafts/{c['draft']}/", expect({"township_a"}), setup=draft),
    Detail("round", lambda w, c: f"/api/v1/rounds/{c['round']}/", expect(SEES_A), setup=submitted_round),
    Detail("maintenance window", lambda w, c: f"/api/v1/silences/{c['silence']}/", expect(SEES_A), setup=silence),
    Detail("self-check notice", lambda w, c: f"/api/v1/self-check-notices/{w.notice_a.pk}/", expect(SEES_A)),
    Detail("complaint", lambda w, c: f"/api/v1/complaints/{w.complaint_a.pk}/",
           expect({"bureau", "enforcement", "township_a"}, forbidden={"ent_a", "ent_b"})),
    Detail("notification", lambda w, c: f"/api/v1/notifications/{w.notes['ent_a'].pk}/", expect({"ent_a"})),
]

ACTIONS = [
    Action("acknowledge alert", lambda w, c: f"/api/v1/alerts/{w.alert_a.pk}/acknowledge/",
           expect({"ent_a"}, forbidden={"bureau", "enforcement", "township_a"}), method="post"),
    Action("close alert", lambda w, c: f"/api/v1/alerts/{w.alert_a.pk}/close/",
           expect({"bureau", "enforcement", "township_a"}, forbidden={"ent_a", "ent_b"}), method="post",
           body=lambda w, c: {"reason": "误报"}),
    Action("accept work order", lambda w, c: f"/api/v1/work-orders/{w.order_a.pk}/accept/",
           expect({"township_a"}, forbidden={"bureau", "enforcement", "ent_a"}), method="post"),
    Action("accept team work order", lambda w, c: f"/api/v1/work-orders/{w.order_team.pk}/accept/",
           expect({"enforcement"}, forbidden={"bureau", "township_a", "ent_a"}), method="post"),
    Action("hand back work order", lambda w, c: f"/api/v1/work-orders/{w.order_a.pk}/hand-back/",
           expect({"township_a"}, forbidden={"bureau", "enforcement", "ent_a"}), method="post",
           body=lambda w, c: {"note": "不属于本镇"}),
    Action("start work order", lambda w, c: f"/api/v1/work-orders/{w.order_a.pk}/start/",
           expect({"township_a"}, forbidden={"bureau", "enforcement", "ent_a"}), method="post",
           setup=lambda w: services.work_order_act(order_id=w.order_a.pk, action="accept",
                                                   user=w.users["township_a"]) and {}),
    Action("plan", lambda w, c: f"/api/v1/work-orders/{w.order_a.pk}/plan/",
           expect({"township_a"}, forbidden={"bureau", "enforcement", "ent_a"}), method="post", setup=handling,
           body=lambda w, c: {"text": "更换设备", "completion_date": "2026-03-20"}),
    Action("feed back", lambda w, c: f"/api/v1/work-orders/{w.order_a.pk}/feedback/",
           expect({"township_a"}, 201, forbidden={"bureau", "enforcement", "ent_a"}), method="post",
           setup=handling, multipart=True, body=lambda w, c: {"text": "已整改", "files": [photo()["file"]]}),
    Action("upload feedback file", lambda w, c: f"/api/v1/feedbacks/{c['feedback']}/attachments/",
           expect({"township_a"}, 201, forbidden={"bureau", "enforcement", "ent_a"}), method="post",
           setup=pending_file, multipart=True, body=lambda w, c: photo()),
    Action("approve", lambda w, c: f"/api/v1/work-orders/{w.order_a.pk}/approve/",
           expect({"bureau"}, forbidden={"enforcement", "township_a", "ent_a"}), method="post", setup=fed_back),
    Action("send back", lambda w, c: f"/api/v1/work-orders/{w.order_a.pk}/send-back/",
           expect({"bureau"}, forbidden={"enforcement", "township_a", "ent_a"}), method="post", setup=fed_back),
    Action("start patrol", lambda w, c: "/api/v1/round-drafts/",
           expect({"township_a"}, 201, forbidden={"bureau", "enforcement", "ent_a"}), method="post",
           body=lambda w, c: {"kind": "patrol", "enterprise": w.ent_a.pk}),
    Action("start inspection", lambda w, c: "/api/v1/round-drafts/",
           expect({"bureau", "enforcement"}, 201, forbidden={"township_a", "ent_a"}), method="post",
           body=lambda w, c: {"kind": "inspection", "enterprise": w.ent_a.pk}),
    Action("open self-check", lambda w, c: f"/api/v1/self-check-notices/{w.notice_a.pk}/open/",
           expect({"ent_a"}, 201, forbidden=STAFF), method="post"),
    Action("fill a line", lambda w, c: f"/api/v1/round-drafts/{c['draft']}/lines/{c['line']}/",
           expect({"township_a"}), method="put", setup=draft, body=lambda w, c: {"result": "pass"}),
    Action("submit round", lambda w, c: f"/api/v1/round-drafts/{c['draft']}/submit/",
           expect({"township_a"}, 201), method="post", setup=filled_draft),
    Action("mark a notification read", lambda w, c: f"/api/v1/notifications/{w.notes['ent_a'].pk}/read/",
           expect({"ent_a"}), method="post"),
    Action("mark notifications read", lambda w, c: "/api/v1/notifications/mark-read/", expect(set(ROLES)),
           method="post", body=lambda w, c: {"ids": [n.pk for n in w.notes.values()]}),
    Action("declare maintenance window", lambda w, c: "/api/v1/silences/",
           expect({"ent_a", "bureau", "enforcement"}, 201, forbidden={"township_a"}), method="post",
           body=lambda w, c: {"outlet": w.out_a.pk, "starts_at": (T0 + dt.timedelta(hours=1)).isoformat(),
                              "ends_at": (T0 + dt.timedelta(hours=4)).isoformat(), "reason": "年度检修"}),
    Action("cancel maintenance window", lambda w, c: f"/api/v1/silences/{c['silence']}/cancel/",
           expect({"ent_a", "bureau", "enforcement"}, forbidden={"township_a"}), method="post", setup=silence),
    Action("log out", lambda w, c: "/api/v1/auth/logout/", expect(set(ROLES), 204), method="post"),
]

LISTINGS = [
    Listing("enterprises", lambda w, c: "/api/v1/enterprises/",
            lambda w, c: {w.ent_a.pk: "a", w.ent_g.pk: "g", w.ent_b.pk: "b"}),
    Listing("permits", lambda w, c: "/api/v1/permits/",
            lambda w, c: {w.out_a.permit_id: "a", w.out_g.permit_id: "g", w.out_b.permit_id: "b"}),
    Listing("outlets", lambda w, c: "/api/v1/outlets/", lambda w, c: {w.out_a.pk: "a", w.out_g.pk: "g",
                                                                       w.out_b.pk: "b"}),
    Listing("alerts", lambda w, c: "/api/v1/alerts/",
            lambda w, c: {w.alert_a.pk: "a", w.alert_g.pk: "g", w.alert_b.pk: "b"}),
    Listing("eco-codes", lambda w, c: "/api/v1/ecocode/codes/", lambda w, c: {w.ent_a.pk: "a", w.ent_b.pk: "b"},
            id_field="enterprise"),
    Listing("work orders", lambda w, c: "/api/v1/work-orders/",
            lambda w, c: {w.order_a.pk: "a", w.order_b.pk: "b", w.order_team.pk: "a"}),
    Listing("feedbacks", lambda w, c: "/api/v1/feedbacks/", lambda w, c: {c["feedback"]: "a"}, setup=pending_file),
    Listing("checklists", lambda w, c: "/api/v1/checklists/",
            lambda w, c: {w.notice_a.checklist_id: "a", w.notice_b.checklist_id: "b"}),
    Listing("rounds", lambda w, c: "/api/v1/rounds/", lambda w, c: {c["round"]: "a"}, setup=submitted_round),
    Listing("self-check notices", lambda w, c: "/api/v1/self-check-notices/",
            lambda w, c: {w.notice_a.pk: "a", w.notice_b.pk: "b"}),
    Listing("complaints", lambda w, c: "/api/v1/complaints/",
            lambda w, c: {w.complaint_a.pk: "a", w.complaint_b.pk: "b"}, staff_only=True),
    Listing("notifications", lambda w, c: "/api/v1/notifications/",
            lambda w, c: {n.pk: role for role, n in w.notes.items()}, by_owner=True),
    Listing("maintenance windows", lambda w, c: "/api/v1/silences/", lambda w, c: {c["silence"]: "a"},
            setup=silence),
    Listing("round drafts", lambda w, c: "/api/v1/round-drafts/", lambda w, c: {str(c["draft"]): "township_a"},
            by_owner=True, id_field="client_uuid", setup=draft),
]
