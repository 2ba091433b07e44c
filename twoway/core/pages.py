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
        form.add_error(field, error.message)
        return None
