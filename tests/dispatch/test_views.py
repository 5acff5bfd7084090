"""Web pages: jurisdiction on list/detail/actions, refused actions as 4xx, the public complaint form
with its private status link and "is it fixed?", and the officer statistics page and CSV."""
import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse

from core import clock
from dispatch import services
from dispatch.models import Complaint, ComplaintAnswer, WorkOrder

from .conftest import T0, jpeg


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def login(client, user):
    client.force_login(user)
    return client


def test_township_officer_cannot_see_or_touch_another_townships_orders(client, county):
    mine = services.work_order_open(source="manual", title="甲镇工单", enterprise=county.ent_a)
    theirs = services.work_order_open(source="manual", title="乙镇工单", enterprise=county.ent_b)
    place = services.work_order_open(source="complaint", title="乙镇无主投诉", township=county.town_b)
    login(client, county.officer_a)
    page = client.get(reverse("dispatch:order_list"))
    assert page.status_code == 200
    assert "甲镇工单" in page.content.decode() and "乙镇工单" not in page.content.decode()
    assert "乙镇无主投诉" not in page.content.decode()
    assert client.get(reverse("dispatch:order_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("dispatch:order_detail", args=[place.pk])).status_code == 404
    response = client.post(reverse("dispatch:order_act", args=[theirs.pk]), {"action": "accept"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == WorkOrder.State.DISPATCHED
    assert client.post(reverse("dispatch:order_act", args=[mine.pk]), {"action": "accept"}).status_code == 302
    mine.refresh_from_db()
    assert mine.state == WorkOrder.State.ACCEPTED


def test_enterprise_sees_only_its_own_and_cannot_act(client, county):
    own = services.work_order_open(source="manual", title="本企业", enterprise=county.ent_a)
    other = services.work_order_open(source="manual", title="别家", enterprise=county.ent_b)
    login(client, county.ent_user)
    body = client.get(reverse("dispatch:order_list")).content.decode()
    assert "本企业" in body and "别家" not in body
    assert client.get(reverse("dispatch:order_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("dispatch:order_act", args=[own.pk]), {"action": "accept"}).status_code == 403


def test_illegal_action_answers_409_and_lists_show_overdue(client, county):
    with clock.frozen(T0) as advance:
        order = services.work_order_open(source="manual", title="逾期工单", enterprise=county.ent_a)
        login(client, county.bureau)
        response = client.post(reverse("dispatch:order_act", args=[order.pk]), {"action": "close"})
        assert response.status_code == 409 and "无法执行" in response.content.decode()  # the zh-Hans UI
        advance(dt.timedelta(days=2))
        page = client.get(reverse("dispatch:order_list") + "?overdue=1")
        assert 'class="overdue"' in page.content.decode() and "逾期工单" in page.content.decode()
        assert page.context["overdue_total"] == 1 and page.context["rate"]["open_overdue"] == 1


def test_feedback_with_files_through_the_page(client, county):
    order = services.work_order_open(source="manual", title="x", enterprise=county.ent_a)
    services.work_order_act(order_id=order.pk, action="accept", user=county.officer_a)
    services.work_order_act(order_id=order.pk, action="start", user=county.officer_a)
    login(client, county.officer_a)
    url = reverse("dispatch:order_act", args=[order.pk])
    bad = client.post(url,
                      {"action": "feed_back", "text": "done", "client_uuid": "6f1c8a56-2f34-4a8e-9d7b-2b6f1a3c9e10",
                            "files": [jpeg(1), __import__("django.core.files.uploadedfile", fromlist=["x"])
                                      .SimpleUploadedFile("a.exe", b"MZ\x90\x00", content_type="image/jpeg")]})
    assert bad.status_code == 400 and order.feedbacks.count() == 0
    ok = client.post(url, {"action": "feed_back", "text": "done", "client_uuid": "6f1c8a56-2f34-4a8e-9d7b-2b6f1a3c9e10",
                           "files": [jpeg(1), jpeg(2)]})
    assert ok.status_code == 302
    order.refresh_from_db()
    assert order.state == WorkOrder.State.FED_BACK and order.feedbacks.get().attachments.count() == 2


def test_public_complaint_private_link_and_is_it_fixed(client, county):
    page = client.get(reverse("dispatch:complain") + f"?enterprise={county.ent_a.credit_code}")
    assert page.status_code == 200 and county.ent_a.name in page.content.decode()
    response = client.post(reverse("dispatch:complain"), {
        "township": county.town_a.pk, "text": "河道有黑水排出", "contact": "13900000000",
        "enterprise": county.ent_a.credit_code, "photo": jpeg(3)})
    complaint = Complaint.objects.get()
    status_url = reverse("dispatch:complaint_status", args=[complaint.access_token])
    assert response.status_code == 302 and response["Location"] == status_url
    order = complaint.work_order
    assert order.enterprise == county.ent_a and order.source == "complaint" and complaint.photo
    body = client.get(status_url).content.decode()
    assert "河道有黑水排出" in body and "13900000000" not in body and county.officer_a.username not in body
    assert client.get(reverse("dispatch:complaint_status", args=["nope"])).status_code == 404
    assert client.post(status_url, {"fixed": "no"}).status_code == 409  # nothing asked yet
    services.work_order_act(order_id=order.pk, action="accept", user=county.officer_a)
    services.work_order_act(order_id=order.pk, action="start", user=county.officer_a)
    services.feedback_submit(order_id=order.pk, user=county.officer_a, text="已封堵")
    services.work_order_act(order_id=order.pk, action="approve", user=county.bureau)
    services.work_order_act(order_id=order.pk, action="close", user=county.bureau)
    assert "fixed" in client.get(status_url).context["form"].fields
    assert client.post(status_url, {"fixed": "no", "comment": "还在排"}).status_code == 302
    order.refresh_from_db()
    assert order.state == WorkOrder.State.HANDLING and order.reopened == 1 and order.closed_at is None
    assert order.transitions.filter(action="reopen", by=None).exists()
    assert client.post(status_url, {"fixed": "yes"}).status_code == 409  # the question is closed
    services.feedback_submit(order_id=order.pk, user=county.officer_a, text="彻底整改")
    services.work_order_act(order_id=order.pk, action="approve", user=county.bureau)
    services.work_order_act(order_id=order.pk, action="close", user=county.bureau)
    assert client.post(status_url, {"fixed": "yes"}).status_code == 302
    assert list(ComplaintAnswer.objects.values_list("fixed", "closure")) == [(False, 0), (True, 1)]


def test_complaint_form_errors_csrf_and_rate_limit(client, county):
    bad = client.post(reverse("dispatch:complain"), {"township": county.town_a.pk, "text": "  "})
    assert bad.status_code == 400 and Complaint.objects.count() == 0
    not_image = client.post(reverse("dispatch:complain"), {
        "township": county.town_a.pk, "text": "有异味很久了", "photo": jpeg(1, "a.jpg").__class__(
            "a.jpg", b"not an image", content_type="image/jpeg")})
    assert not_image.status_code == 400 and Complaint.objects.count() == 0
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(reverse("dispatch:complain"), {"township": county.town_a.pk,
                                                      "text": "有异味很久了"}).status_code == 403
    codes = [client.post(reverse("dispatch:complain"), {"township": county.town_a.pk,
                                                        "text": f"有异味很久了{n}"}).status_code for n in range(4)]
    assert codes == [302, 302, 302, 429]  # the two refused posts above count too: five per hour per IP
    assert Complaint.objects.count() == 3
