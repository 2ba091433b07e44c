"""Unit names as a viewer may see them: staff see the names of units in their area; a
resident sees the chain of units above them; any other unit is "the level above"."""

from django import template
from django.utils.translation import gettext as _

from twoway.org.scope import scope_for

register = template.Library()


def unit_label(unit, scope) -> str:
    if unit is None:
        return ""
    if scope.covers(unit.path):
        return unit.name
    person = scope.person
    if not scope.is_staff and person is not None and unit.path in person.unit.ancestor_paths:
        return unit.name
    return _("the level above")


@register.simple_tag(takes_context=True)
def unit_name(context, unit) -> str:
    return unit_label(unit, scope_for(context["request"].user))


@register.simple_tag(takes_context=True)
def person_name(context, person, unit) -> str:
    """A person's name where their unit is within the viewer's area, else nothing."""
    if person is None:
        return ""
    return person.name if scope_for(context["request"].user).covers(unit.path) else ""
