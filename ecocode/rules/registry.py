"""All families and their rules, by key."""
from .enterprise_data import duties, outlets, permits, reports
from .records import complaints, penalties, work_orders

FAMILIES = {f.key: f for f in (reports, permits, outlets, duties, complaints, work_orders, penalties)}
RULES = {key: rule for family in FAMILIES.values() for key, rule in family.rules.items()}


def family_of(rule_key: str):
    return FAMILIES[rule_key.split(".", 1)[0]]
