"""Who may see and do what in outreach, on top of ``enterprises.jurisdiction``.

* Enterprise accounts see their own questions, receipts, exams, assessments and health checks.
* A question routed to the bureau is seen by county-wide staff; one routed to the township by the
  officers of the enterprise's township as well. Grid officers and other townships see none.
* Everything else follows the enterprise jurisdiction (bureau/enforcement: county; township; grid).
"""
from django.db.models import Q

from enterprises import jurisdiction
from enterprises.models import Role

from .models import Route

STAFF_ROLES = (Role.BUREAU, Role.ENFORCEMENT, Role.TOWNSHIP, Role.GRID)


def is_active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def is_enterprise(user) -> bool:
    return is_active(user) and user.role == Role.ENTERPRISE and user.enterprise_id is not None


def is_staff(user) -> bool:
    return is_active(user) and (user.is_superuser or user.role in STAFF_ROLES)


def may_publish(user) -> bool:
    """Bureau staff (and superusers) publish articles, exams and FAQ entries for the county."""
    return jurisdiction.is_bureau(user)


def question_q(user) -> Q:
    """A Q over Question selecting what ``user`` may see."""
    if jurisdiction.is_county_wide(user):
        return Q()
    if is_enterprise(user):
        return Q(enterprise_id=user.enterprise_id)
    if is_active(user) and user.role == Role.TOWNSHIP and user.township_id:
        return Q(route=Route.TOWNSHIP, township_id=user.township_id)
    return jurisdiction.NOTHING


def may_answer(user, question) -> bool:
    if jurisdiction.is_county_wide(user):
        return True
    return (is_active(user) and user.role == Role.TOWNSHIP and question.route == Route.TOWNSHIP
            and user.township_id == question.township_id)
