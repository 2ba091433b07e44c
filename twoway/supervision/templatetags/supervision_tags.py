from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value):
    """A rate (0–1) as a percentage with one decimal, or a dash when there is no data."""
    if value is None:
        return "—"
    return f"{100 * value:.1f}%"


@register.filter
def dash(value):
    """A value as shown in a table: numbers with one decimal at most, None as a dash."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}"
    return value


@register.filter
def score(value):
    return "—" if value is None else f"{value:.1f}"


@register.simple_tag
def no_data():
    return _("no data")
