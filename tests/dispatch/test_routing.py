"""Routing as a county works: the township gets the order, accepts it, handles it or passes it to one of
its grids; the enforcement team gets alarms and inspection findings; every dispatch and every pass to a
grid tells the handlers at once, with the deadlines in local time."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from dispatch import selectors, services, workflow
from dispatch.models import WorkOrder
from dispatch.workflow import S, NotAllowed, WorkflowError
from notifications.models import Notification
from tests import factories as f


def notes(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind))


def test_township_accepts_and_passes_to_a_grid_which_is_told(county):
    c = county
    order = services.work_order_open(source="complaint", title="夜间异味", enterprise=c.ent_grid)
    assert (order.assignee_kind, order.state) == ("township", S.DISPATCHED)
    [told] = notes(c.officer_a, "workorder_dispatched")
    assert f"#{order.pk}" in told.subject and told.url.endswith(f"/orders/{order.pk}/")
    assert notes(c.grid_officer, "workorder_dispatched") == [] and notes(c.officer_b, "workorder_dispatched") == []
    assert "pass_to_grid" in workflow.allowed_actions(c.officer_a, order)
    assert order.pk in selectors.visible_work_orders(c.officer_a).filter(selectors.assigned_q(c.officer_a)) \
        .values_list("pk", flat=True)

    services.work_order_act(order_id=order.pk, action="accept", user=c.officer_a)
    order = services.work_order_pass_to_grid(order_id=order.pk, user=c.officer_a, grid=c.grid_a, note="请网格员核查")
    assert (order.assignee_kind, order.grid_id, order.state, order.accepted_at) == ("grid", c.grid_a.pk,
                                                                                    S.DISPATCHED, None)
    [passed] = notes(c.grid_officer, "workorder_reassigned")
    assert f"#{order.pk}" in passed.subject and "+08" not in passed.body
    assert list(order.transitions.values_list("action", flat=True)) == ["open", "dispatch", "accept", "pass_to_grid"]

    # The grid handles it; the township still may act on what it passed on, and still sees it as its own.
    assert workflow.is_handler(c.grid_officer, order) and workflow.is_handler(c.officer_a, order)
    assert order.pk in selectors.visible_work_orders(c.officer_a).filter(selectors.assigned_q(c.officer_a)) \
        .values_list("pk", flat=True)
    services.work_order_act(order_id=order.pk, action="accept", user=c.grid_officer)
    assert WorkOrder.objects.get(pk=order.pk).state == S.ACCEPTED


def test_pass_to_grid_refuses_other_townships_grids_and_other_roles(county, english):
    c = county
    order = services.work_order_open(source="complaint", title="x", enterprise=c.ent_a)
    other_grid = f.grid(f.village(c.town_b))
    with pytest.raises(WorkflowError, match="grid of the order's township"):
        services.work_order_pass_to_grid(order_id=order.pk, user=c.officer_a, grid=other_grid)
    with pytest.raises(NotAllowed):
        services.work_order_pass_to_grid(order_id=order.pk, user=c.officer_b, grid=c.grid_a)
    with pytest.raises(NotAllowed):
        services.work_order_pass_to_grid(order_id=order.pk, user=c.grid_officer, grid=c.grid_a)
    with pytest.raises(WorkflowError, match="its own form"):
        services.work_order_act(order_id=order.pk, action="pass_to_grid", user=c.officer_a)
    services.work_order_pass_to_grid(order_id=order.pk, user=c.officer_a, grid=c.grid_a)
    with pytest.raises(WorkflowError, match="given to the township"):  # once passed, it is the grid's
        services.work_order_pass_to_grid(order_id=order.pk, user=c.officer_a, grid=c.grid_a)
    assert WorkOrder.objects.get(pk=order.pk).transitions.filter(action="pass_to_grid").count() == 1


def test_alarms_and_inspections_go_to_the_team_which_is_told(county):
    c = county
    alarm = services.work_order_open(source="alert", title="COD 超标", enterprise=c.ent_grid, source_ref="alert:9")
    found = services.work_order_open(source="inspection", title="台账缺失", enterprise=c.ent_b)
    assert {alarm.assignee_kind, found.assignee_kind} == {"team"}
    subjects = sorted(n.subject for n in notes(c.inspector, "workorder_dispatched"))
    assert len(subjects) == 2 and f"#{alarm.pk}" in subjects[0] + subjects[1] and f"#{found.pk}" in subjects[0] + subjects[1]
    assert notes(c.officer_a, "workorder_dispatched") == []


def test_a_bureau_redispatch_tells_the_new_handler(county):
    c = county
    held = services.work_order_open(source="manual", title="y", enterprise=c.ent_a, auto_dispatch=False)
    assert notes(c.officer_a, "workorder_dispatched") == []
    services.work_order_dispatch(order_id=held.pk, user=c.bureau, assignee_kind="grid", grid=c.grid_a)
    assert len(notes(c.grid_officer, "workorder_dispatched")) == 1


def test_township_officer_passes_to_a_grid_on_the_desktop_page(client, county):
    c = county
    order = services.work_order_open(source="complaint", title="粉尘", enterprise=c.ent_grid)
    client.force_login(c.officer_a)
    page = client.get(reverse("dispatch:order_detail", args=[order.pk])).content.decode()
    assert 'data-action="accept"' in page and 'data-action="pass_to_grid"' in page
    assert f'<option value="{c.grid_a.pk}" selected>' in page and "立单" in page and "转派网格" in page
    url = reverse("dispatch:order_act", args=[order.pk])
    other = f.grid(f.village(c.town_b))
    assert client.post(url, {"action": "pass_to_grid", "grid": other.pk}).status_code == 409
    assert client.post(url, {"action": "pass_to_grid", "grid": c.grid_a.pk, "note": "请核查"}).status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).grid_id == c.grid_a.pk
    client.force_login(c.grid_officer)
    page = client.get(reverse("dispatch:order_detail", args=[order.pk])).content.decode()
    assert 'data-action="accept"' in page and 'data-action="pass_to_grid"' not in page


def test_pass_to_grid_through_the_api(county):
    c = county
    order = services.work_order_open(source="complaint", title="噪声", enterprise=c.ent_a)
    api = APIClient()
    api.force_authenticate(c.officer_a)
    grids = api.get("/api/v1/work-orders/grids/").json()
    assert [g["id"] for g in grids] == [c.grid_a.pk]
    mine = api.get("/api/v1/work-orders/?mine=true&open=true").json()
    assert [o["id"] for o in mine["results"]] == [order.pk]
    url = f"/api/v1/work-orders/{order.pk}/pass-to-grid/"
    assert api.post(url, {}, format="json").status_code == 400
    assert api.post(url, {"grid": f.grid(f.village(c.town_b)).pk}, format="json").status_code in (400, 409)
    done = api.post(url, {"grid": c.grid_a.pk}, format="json")
    assert done.status_code == 200 and (done.json()["assignee_kind"], done.json()["grid"]) == ("grid", c.grid_a.pk)
    outsider = APIClient()
    outsider.force_authenticate(c.officer_b)
    assert outsider.post(url, {"grid": c.grid_a.pk}, format="json").status_code == 404
    assert len(notes(c.grid_officer, "workorder_reassigned")) == 1
