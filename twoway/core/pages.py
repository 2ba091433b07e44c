"""Small helpers shared by the list and form pages."""

from django.core.paginator import Paginator
from django.db.models import QuerySet

from .errors import DomainError

PAGE_SIZE = 25


def paginate(request, qs: QuerySet, per_page: int = PAGE_SIZE):
    """The requested page of a queryset; a bad page number falls back to the nearest page."""
    return Paginator(qs, per_page).get_page(request.GET.get("page"))


def run_form_action(form, action, **kwargs):
    """Call a domain action; a refusal becomes an error on the field it names, or on the form."""
    try:
        return action(**kwargs)
    except DomainError as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, without_field_name(error.message) if field else error.message)
        return None


def without_field_name(message: str) -> str:
    """ "Name: this field is required." → "this field is required.", for a message shown under
    the field it names (the page shows the field's label there already)."""
    for sep in ("：", ": "):
        head, found, rest = message.partition(sep)
        if found and len(head) <= 20 and rest:
            return rest
    return message
