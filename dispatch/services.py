"""Writes of dispatch. Other apps open work orders and file complaints only through these functions."""
from django.db import IntegrityError, transaction

from enforcement import clock
from enterprises.models import Enterprise, Township

from .models import Complaint, WorkOrder


def open_work_order(*, source: str, title: str, enterprise: Enterprise | None = None,
                    township: Township | None = None, description: str = "", evidence: dict | None = None,
                    source_ref: str = "", opened_by=None) -> WorkOrder:
    """Open a work order in state ``discovered``, routed to the enterprise's township.

    Idempotent on ``(source, source_ref)``: opening the same thing twice returns the first order.
    """
    if source not in WorkOrder.Source.values:
        raise ValueError(f"unknown work-order source {source!r}")
    if township is None:
        if enterprise is None:
            raise ValueError("a work order needs an enterprise or a township")
        township = enterprise.township
    if source_ref:
        existing = WorkOrder.objects.filter(source=source, source_ref=source_ref).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            return WorkOrder.objects.create(
                source=source, source_ref=source_ref, title=title[:200], enterprise=enterprise, township=township,
                description=description, evidence=evidence or {}, opened_at=clock.now(), opened_by=opened_by,
            )
    except IntegrityError:
        if source_ref:
            return WorkOrder.objects.get(source=source, source_ref=source_ref)
        raise


def file_complaint(*, text: str, channel: str, enterprise: Enterprise | None = None,
                   township: Township | None = None, photo=None, contact: str = "") -> Complaint:
    """Store a public complaint and open its work order, in one transaction."""
    text = (text or "").strip()
    if not text:
        raise ValueError("a complaint needs text")
    if township is None:
        if enterprise is None:
            raise ValueError("a complaint needs an enterprise or a township")
        township = enterprise.township
    with transaction.atomic():
        complaint = Complaint.objects.create(enterprise=enterprise, township=township, channel=channel, text=text,
                                             photo=photo, contact=contact.strip(), created_at=clock.now())
        complaint.work_order = open_work_order(
            source=WorkOrder.Source.COMPLAINT, enterprise=enterprise, township=township,
            title=f"公众投诉：{text[:60]}", description=text, source_ref=f"complaint:{complaint.pk}",
            evidence={"photo": complaint.photo.name if complaint.photo else ""},
        )
        complaint.save(update_fields=["work_order"])
    return complaint
