"""Template tags for pollutant values: ``{% value_text value pollutant unit %}`` (rounded to the code
table's precision, with the unit) and ``{{ code|pollutant_name }}``."""
from django import template

from .. import pollutant_values

register = template.Library()


@register.simple_tag
def value_text(value, pollutant, unit=None):
    return pollutant_values.value_text(value, pollutant, unit) or "—"


@register.filter
def pollutant_name(code):
    return pollutant_values.name_of(getattr(code, "code", code))
