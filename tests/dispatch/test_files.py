"""Uploaded evidence and complaint photos are served only through jurisdiction-checked views."""
import uuid

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from dispatch import services
from dispatch.models import Attachment, Feedback
from tests import factories as f

from .conftest import jpeg

pytestmark = pytest.mark.django_db


def test_evidence_goes_only_to_those_who_see_the_order(client, county):
    order = services.work_order_open(source="manual", title="整改", enterprise=county.ent_a)
    feedback = Feedback.objects.create(work_order=order, submitted_by=county.officer_a, text="已整改", declared_files=1,
                                       client_uuid=uuid.uuid4(), submitted_at=order.opened_at)
    item = Attachment.objects.create(feedback=feedback, file=ContentFile(jpeg().read(), name="fix.jpg"),
                                     sha256="0" * 64, size=10, content_type="image/jpeg", uploaded_at=order.opened_at)
    url = reverse("dispatch:attachment", args=[item.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(county.officer_b)
    assert client.get(url).status_code == 404  # another township
    client.force_login(county.officer_a)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    page = client.get(reverse("dispatch:order_detail", args=[order.pk])).content.decode()
    assert url in page and "/media/" not in page


def test_complaint_photo_goes_only_to_those_who_see_the_order(client, county):
    complaint = services.complaint_file(text="夜间排放黑烟", channel="web", enterprise=county.ent_a, photo=jpeg())
    url = reverse("dispatch:complaint_photo", args=[complaint.pk])
    client.force_login(county.officer_b)
    assert client.get(url).status_code == 404
    client.force_login(county.officer_a)
    assert client.get(url).status_code == 200
    assert url in client.get(reverse("dispatch:order_detail", args=[complaint.work_order.pk])).content.decode()


def test_uploads_are_not_served_by_path(client, county, settings):
    client.force_login(f.bureau_user())
    assert client.get("/media/evidence/2026/11/fix.jpg").status_code == 404


def test_mobile_clients_download_evidence_with_their_token(county):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    order = services.work_order_open(source="manual", title="整改", enterprise=county.ent_a)
    feedback = Feedback.objects.create(work_order=order, submitted_by=county.officer_a, text="已整改", declared_files=1,
                                       client_uuid=uuid.uuid4(), submitted_at=order.opened_at)
    item = Attachment.objects.create(feedback=feedback, file=ContentFile(jpeg().read(), name="fix.jpg"),
                                     sha256="1" * 64, size=10, content_type="image/jpeg", uploaded_at=order.opened_at)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=county.officer_a).key}")
    listed = api.get(f"/api/v1/feedbacks/{feedback.pk}/").json()["attachments"][0]
    assert listed["file"] == reverse("dispatch:attachment", args=[item.pk])
    response = api.get(listed["download"])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=county.officer_b).key}")
    assert other.get(listed["download"]).status_code == 404
    assert APIClient().get(listed["download"]).status_code == 401
