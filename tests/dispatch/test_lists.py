"""Staff lists that scale: the work-order list searches (number, title, enterprise, credit code) and
filters by source; the complaint list (new) is by jurisdiction, searchable, filterable and paginated."""
from django.urls import reverse

from dispatch import services


def rows(page: str, attr: str) -> set[int]:
    import re

    return {int(n) for n in re.findall(rf'{attr}="(\d+)"', page)}


def test_order_list_searches_and_filters_by_source(client, county):
    c = county
    smoke = services.work_order_open(source="complaint", title="夜间冒黑烟", enterprise=c.ent_a)
    patrol = services.work_order_open(source="patrol", title="台账不全", enterprise=c.ent_grid)
    client.force_login(c.bureau)
    url = reverse("dispatch:order_list")

    def listed(query):
        page = client.get(url, query).content.decode()
        return {pk for pk in (smoke.pk, patrol.pk) if f'href="/dispatch/orders/{pk}/"' in page}

    assert listed({}) == {smoke.pk, patrol.pk}
    assert listed({"q": "黑烟"}) == {smoke.pk}
    assert listed({"q": c.ent_grid.credit_code}) == {patrol.pk}
    assert listed({"q": f"#{patrol.pk}"}) == {patrol.pk}
    assert listed({"source": "patrol"}) == {patrol.pk}
    assert listed({"source": "complaint", "q": "台账"}) == set()
    assert "共 2 件工单" in client.get(url).content.decode()


def test_staff_complaint_list_by_jurisdiction_search_and_channel(client, county):
    c = county
    mine = services.complaint_file(text="河面有油污漂浮", channel="qr", enterprise=c.ent_a, contact="13800000001")
    web = services.complaint_file(text="夜里噪声很大", channel="web", enterprise=c.ent_grid)
    theirs = services.complaint_file(text="乙镇烟尘", channel="web", enterprise=c.ent_b)
    url = reverse("dispatch:complaint_list")
    client.force_login(c.officer_a)
    page = client.get(url).content.decode()
    assert rows(page, "data-complaint") == {mine.pk, web.pk} and "共 2 条投诉" in page
    assert rows(client.get(url, {"q": "油污"}).content.decode(), "data-complaint") == {mine.pk}
    assert rows(client.get(url, {"q": c.ent_grid.name}).content.decode(), "data-complaint") == {web.pk}
    assert rows(client.get(url, {"channel": "web"}).content.decode(), "data-complaint") == {web.pk}
    assert f'href="/dispatch/orders/{mine.work_order_id}/"' in page
    client.force_login(c.bureau)
    assert rows(client.get(url, {"township": c.town_b.pk}).content.decode(), "data-complaint") == {theirs.pk}
    client.force_login(c.ent_user)
    assert client.get(url).status_code == 403
