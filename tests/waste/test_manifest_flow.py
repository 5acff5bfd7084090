"""The manifest's states and each party's signature: producer drafts and signs, carrier departs,
carrier or receiver marks the arrival, receiver confirms or refuses, producer or staff close; nobody
signs another's part, no step out of order, every step recorded."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core import clock
from enterprises.models import Role
from tests import factories as f
from waste.services import manifests as services

from .support import T0, draft, world

pytestmark = pytest.mark.django_db
NOW = T0 + dt.timedelta(hours=1)


@pytest.fixture
def w():
    with clock.frozen(NOW):
        yield world()


def test_the_whole_way_with_its_history(w):
    with clock.frozen(NOW):
        m = draft(w)
        assert m.state == "drafted" and m.producer_signed_by == w.producer_user
        m = services.manifest_depart(m, user=w.carrier_user, at=T0)
        m = services.manifest_arrive(m, user=w.receiver_user, at=T0 + dt.timedelta(minutes=40))
        m = services.manifest_receive(m, user=w.receiver_user, quantity=Decimal("9.980"))
        m = services.manifest_close(m, user=w.producer_user)
    assert (m.state, m.received_quantity, m.receiver_signed_by, m.carrier_signed_by) == \
        ("closed", Decimal("9.980"), w.receiver_user, w.carrier_user)
    steps = list(m.events.values_list("action", "from_state", "to_state", "actor"))
    assert steps == [("draft", "", "drafted", w.producer_user.pk), ("sign", "drafted", "drafted", w.producer_user.pk),
                     ("depart", "drafted", "departed", w.carrier_user.pk),
                     ("arrive", "departed", "arrived", w.receiver_user.pk),
                     ("receive", "arrived", "received", w.receiver_user.pk),
                     ("close", "received", "closed", w.producer_user.pk)]


def test_each_party_signs_only_its_part(w):
    with clock.frozen(NOW):
        m = draft(w)
        with pytest.raises(PermissionDenied):
            services.manifest_depart(m, user=w.producer_user)
        with pytest.raises(PermissionDenied):
            services.manifest_depart(m, user=f.user(Role.BUREAU))
        m = services.manifest_depart(m, user=w.carrier_user, at=T0)
        with pytest.raises(PermissionDenied):
            services.manifest_arrive(m, user=w.producer_user)
        m = services.manifest_arrive(m, user=w.carrier_user)
        with pytest.raises(PermissionDenied):
            services.manifest_receive(m, user=w.carrier_user, quantity=Decimal("10"))
        with pytest.raises(PermissionDenied):
            services.manifest_draft(user=w.carrier_user, producer=w.producer, category=w.ash, quantity=Decimal(1),
                                    unit="t", packaging="bulk", carrier=w.carrier, vehicle=w.vehicle,
                                    receiver=w.facility, planned_departure=NOW, planned_arrival=NOW + dt.timedelta(1))


def test_no_step_out_of_order(w):
    with clock.frozen(NOW):
        m = services.manifest_draft(user=w.producer_user, producer=w.producer, category=w.ash, quantity=Decimal(5),
                                    unit="t", packaging="bags", carrier=w.carrier, vehicle=w.vehicle,
                                    receiver=w.facility, planned_departure=T0,
                                    planned_arrival=T0 + dt.timedelta(hours=1))
        with pytest.raises(ValidationError, match="尚未签字"):
            services.manifest_depart(m, user=w.carrier_user)
        m = services.manifest_sign(m, user=w.producer_user)
        with pytest.raises(ValidationError):
            services.manifest_receive(m, user=w.receiver_user, quantity=Decimal(5))
        with pytest.raises(ValidationError, match="发车时间不能晚于"):
            services.manifest_depart(m, user=w.carrier_user, at=NOW + dt.timedelta(hours=1))
        m = services.manifest_depart(m, user=w.carrier_user, at=T0)
        m = services.manifest_arrive(m, user=w.carrier_user)
        with pytest.raises(ValidationError, match="拒收需要填写原因"):
            services.manifest_refuse(m, user=w.receiver_user, reason="  ")
        m = services.manifest_refuse(m, user=w.receiver_user, reason="轨迹缺失")
        with pytest.raises(PermissionDenied):
            services.manifest_close(m, user=w.carrier_user)
        m = services.manifest_close(m, user=w.officer)
    assert m.state == "closed" and m.refusal_reason == "轨迹缺失"


def test_a_vehicle_of_another_carrier_is_refused(w):
    from waste.models import Vehicle

    other = Vehicle.objects.create(plate="浙F00001", carrier=f.enterprise())
    with clock.frozen(NOW), pytest.raises(ValidationError) as exc:
        services.manifest_draft(user=w.producer_user, producer=w.producer, category=w.ash, quantity=Decimal(5),
                                unit="t", packaging="bags", carrier=w.carrier, vehicle=other, receiver=w.facility,
                                planned_departure=T0, planned_arrival=T0 + dt.timedelta(hours=1))
    assert "vehicle" in exc.value.message_dict
