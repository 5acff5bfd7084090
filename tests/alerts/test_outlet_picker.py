"""The maintenance form's outlet picker searches on the server: the page holds only the chosen outlet,
the outlets API answers ``?search=`` by enterprise, code or name, and a chosen outlet still validates."""
import re

from django.urls import reverse
from rest_framework.test import APIClient

from enterprises.models import Role
from tests import factories as f


def test_the_outlet_picker_renders_no_list_and_searches_the_api(client, db):
    town = f.township()
    outlets = []
    for i in range(40):
        ent = f.enterprise(town, name=f"企业{i:02d}")
        outlets.append(f.outlet(f.permit(ent), f"DW{i:03d}"))
    outlets[0].__class__.objects.filter(pk__in=[o.pk for o in outlets]).update(online_monitored=True)
    bureau = f.user(Role.BUREAU)
    client.force_login(bureau)
    page = client.get(reverse("alerts:alert-list")).content.decode()
    select = re.search(r'<select name="outlet"[^>]*>(.*?)</select>', page, re.S)
    assert select and 'data-search-url="/api/v1/outlets/?online_monitored=true"' in page
    assert select.group(1).count("<option") == 1  # only the empty choice: the search brings the rest
    assert "core/search-select.js" in page

    api = APIClient()
    api.force_authenticate(bureau)
    found = api.get("/api/v1/outlets/", {"search": "企业07", "online_monitored": "true"}).json()
    assert [(o["id"], o["enterprise_name"]) for o in found["results"]] == [(outlets[7].pk, "企业07")]
    assert api.get("/api/v1/outlets/", {"search": "DW039"}).json()["count"] == 1

    bound = client.post(reverse("alerts:silence-create"), {"outlet": outlets[7].pk, "starts_at": "2099-01-01T08:00",
                                                           "ends_at": "2099-01-01T09:00", "reason": ""})
    body = bound.content.decode()
    assert bound.status_code == 400 and f'<option value="{outlets[7].pk}" selected>' in body
