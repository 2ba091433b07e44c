"""Open311 GeoReport v2 client keys: one per client application, issued and revoked by the
district. A key raises appeals on residents' behalf, sets the channel recorded on them, and is
rate-limited. Keys are stored as digests only: the key itself is shown once, when issued."""

import hashlib

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from twoway.appeals.models import Appeal, Channel
from twoway.org.models import OrgUnit, Person

# The channels a client application may record on its appeals.
KEY_CHANNELS = [Channel.OPEN311, Channel.HOTLINE]


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ClientKey(models.Model):
    name = models.CharField(_("client application"), max_length=100)
    district = models.ForeignKey(OrgUnit, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    operator = models.ForeignKey(
        Person,
        verbose_name=_("raises appeals as"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Appeals from this client are recorded as raised on the resident's behalf by this person."),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.OPEN311)
    read_all = models.BooleanField(
        _("may read every request in the district"),
        default=False,
        help_text=_("Otherwise the client reads only the requests it raised itself."),
    )
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=60)
    prefix = models.CharField(_("key starts with"), max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        Person, verbose_name=pgettext_lazy("person", "issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        Person, verbose_name=_("revoked by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("Open311 client key")
        verbose_name_plural = _("Open311 client keys")
        ordering = ["-issued_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class RequestToken(models.Model):
    """The token a client gets back from POST requests, to look the request up by later."""

    token = models.CharField(max_length=40, unique=True)
    appeal = models.ForeignKey(Appeal, on_delete=models.PROTECT, related_name="+")
    key = models.ForeignKey(ClientKey, on_delete=models.PROTECT, related_name="tokens")
    created_at = models.DateTimeField(default=timezone.now)


class RateCount(models.Model):
    """Requests counted per caller and minute, in the database so that every app server
    behind the load balancer counts against the same limit."""

    bucket = models.CharField(max_length=40)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["bucket", "window"], name="ratecount_unique_window")]
