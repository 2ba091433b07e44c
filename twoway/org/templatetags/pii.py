"""Masking filters for personal numbers (PIPL): lists never show them in full."""

from django import template

from twoway.org.validation import mask_id_number, mask_phone

register = template.Library()
register.filter("mask_phone", mask_phone)
register.filter("mask_id", mask_id_number)
