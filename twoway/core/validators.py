import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MixedCharacterValidator:
    """A password must mix letters and digits (and may add symbols)."""

    def validate(self, password, user=None):
        if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
            raise ValidationError(_("The password must contain both letters and digits."), code="password_not_mixed")

    def get_help_text(self):
        return _("Your password must contain both letters and digits.")
