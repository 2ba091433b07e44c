"""Public notices (公示, R-4.3): outcomes, vote counts and the use of funds, published to a
unit's residents for a period and archived after. They never carry personal data."""

import hashlib
import json
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from twoway.org.models import OrgUnit

DEFAULT_DAYS = 7
BODY_MAX = 20000


class NoticeKind(models.TextChoices):
    OUTCOME = "outcome", _("Meeting outcome")
    FUNDS = "funds", _("Use of community funds and resources")
    OTHER = "other", _("Other")


class Notice(models.Model):
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices, default=NoticeKind.OUTCOME)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=BODY_MAX)
    publish_from = models.DateTimeField(_("published from"), default=timezone.now)
    publish_to = models.DateTimeField(_("published until"))
    topic = models.OneToOneField(
        "meetings.Topic", null=True, blank=True, on_delete=models.PROTECT, related_name="notice"
    )
    hash = models.CharField(_("fingerprint"), max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["-publish_from", "-id"]
        indexes = [models.Index(fields=["unit", "-publish_from"])]

    def __str__(self):
        return self.title

    def compute_hash(self) -> str:
        content = {
            "unit": self.unit_id,
            "title": self.title,
            "body": self.body,
            "from": self.publish_from.isoformat(),
            "to": self.publish_to.isoformat(),
        }
        return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()

    @property
    def is_current(self) -> bool:
        return self.publish_from <= timezone.now() < self.publish_to

    @staticmethod
    def default_end(start):
        return start + timedelta(days=DEFAULT_DAYS)
