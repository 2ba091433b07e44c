"""Numbers from forms, URLs and API input, parsed once for every app.

A value that is not an integer, or does not fit a database id (64 bits), is treated as absent:
it matches no row, rather than raising a database overflow (a 500) deep inside a query.
"""

from django.http import Http404

_ID_MIN, _ID_MAX = -(2**63), 2**63 - 1


def as_int(value, default=None):
    """`value` as an integer, or `default` when it is not one or lies outside 64 bits."""
    if isinstance(value, bool):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return number if _ID_MIN <= number <= _ID_MAX else default


def as_list(values) -> list:
    """A list from a form or the API: None is empty, and one value alone (text, a number) where
    a list was expected is a list of that one value (text is not split into its characters)."""
    if values is None:
        return []
    if isinstance(values, str | bytes):
        return [values]
    try:
        return list(values)
    except TypeError:
        return [values]


def as_ids(values) -> list[int]:
    """The values that are valid ids, in order; the rest are dropped."""
    found = (as_int(v) for v in as_list(values))
    return [n for n in found if n is not None]


def pk_or_404(value) -> int:
    """A record id from a URL or query string; anything else is a 404, as an unknown id is."""
    number = as_int(value)
    if number is None:
        raise Http404
    return number
