"""All families and their rules, by key."""
from .device_checks import device_checks
from .enterprise_data import duties, outlets, permits, reports
from .monitoring_data import alerts, devices, exceedances, online, silences
from .records import checklists, complaints, penalties, self_checks, work_orders
from .transfers import transfers

FAMILIES = {f.key: f for f in (reports, permits, outlets, duties, online, exceedances, devices, alerts, silences,
                               complaints, work_orders, self_checks, checklists, penalties, device_checks,
                               transfers)}
RULES = {key: rule for family in FAMILIES.values() for key, rule in family.rules.items()}


def family_of(rule_key: str):
    return FAMILIES[rule_key.split(".", 1)[0]]
