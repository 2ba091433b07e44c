"""Free text from forms and the API, checked once for every app.

Text is stripped and None counts as empty. Text that is longer than its limit, is not text at
all, or holds control characters is refused with an error naming the field: PostgreSQL cannot
store NUL, and the other control characters break the Excel and XML exports. Tabs and line
breaks are text.
"""

import re

from django.utils.translation import gettext as _

from .errors import DomainError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean_text(value, *, field: str, label, limit: int | None, required: bool = False) -> str:
    """`value` stripped, or a DomainError on `field` (shown as `label`) when it does not fit.
    With limit=None the caller checks the length itself (with a message of its own)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError("not_text", _("%(field)s: enter text.") % {"field": label}, field)
    value = value.strip()
    if required and not value:
        raise DomainError("required", _("%(field)s: this field is required.") % {"field": label}, field)
    if limit is not None and len(value) > limit:
        raise DomainError("too_long", _("%(field)s: at most %(n)s characters.") % {"field": label, "n": limit}, field)
    if _CONTROL.search(value):
        raise DomainError(
            "control_characters",
            _("%(field)s: remove the control characters in it (such as NUL).") % {"field": label},
            field,
        )
    return value


def clean_key(value, *, limit: int) -> str:
    """A lookup key (a number, a code, a name searched for): text that fits, else empty, which
    matches nothing. For values that only select a record and are never stored."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if len(value) > limit or _CONTROL.search(value):
        return ""
    return value
