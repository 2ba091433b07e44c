"""A per-minute request limit shared by every app server: one counter row per caller and minute."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .models import RateCount

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Hit:
    allowed: bool
    retry_after: int  # seconds until the window ends (0 when allowed)
    first_in_window: bool  # the caller's first request this minute (a cheap moment to note "last used")


def rate_hit(*, bucket: str, limit: int, now=None) -> Hit:
    """Count one request of `bucket` in the current minute and say whether it is within `limit`."""
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    first = False
    with transaction.atomic():
        updated = RateCount.objects.filter(bucket=bucket, window=window).update(count=F("count") + 1)
        if not updated:
            try:
                with transaction.atomic():
                    RateCount.objects.create(bucket=bucket, window=window, count=1)
                first = True
            except IntegrityError:  # another server made the row first
                RateCount.objects.filter(bucket=bucket, window=window).update(count=F("count") + 1)
        count = RateCount.objects.filter(bucket=bucket, window=window).values_list("count", flat=True).first() or 0
    if first:
        # Old minutes are of no more use: the caller's first request of a minute clears them.
        RateCount.objects.filter(bucket=bucket, window__lt=window - timedelta(minutes=5)).delete()
    if count > limit:
        return Hit(False, max(1, int((window + timedelta(seconds=WINDOW_SECONDS) - now).total_seconds())), first)
    return Hit(True, 0, first)
