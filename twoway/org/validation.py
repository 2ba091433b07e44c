"""Checks for Chinese phone and ID numbers, shared by forms, imports and the API."""

import re

from django.utils.translation import gettext as _

from twoway.core.errors import DomainError

_PHONE = re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}", re.ASCII)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def clean_phone(value: str) -> str:
    value = "" if value is None else value
    if not isinstance(value, str) or (value := value.strip().replace(" ", "")) and not _PHONE.fullmatch(value):
        raise DomainError("bad_phone", _("Phone: enter an 11-digit mobile number or a landline number."), "phone")
    return value


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def clean_id_number(value: str) -> str:
    """An 18-digit resident ID number (GB 11643) with a valid check digit, or empty."""
    value = (value or "").strip().upper()
    if not value:
        return ""
    if not re.fullmatch(r"\d{17}[\dX]", value) or id_check_digit(value[:17]) != value[17]:
        raise DomainError("bad_id_number", _("ID number: enter a valid 18-digit ID number."), "id_number")
    return value


def mask_phone(value: str) -> str:
    """138****1234: the first three and last four digits of a mobile number."""
    if not value:
        return ""
    if len(value) >= 11:
        return value[:3] + "****" + value[-4:]
    return value[:2] + "*" * max(len(value) - 4, 1) + value[-2:]


def mask_id_number(value: str) -> str:
    """The first three and last four characters, the rest starred."""
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
