"""Small tables read on nearly every request (the category catalogue, time limits, the holiday
calendar), kept in each process for a short while.

A change made in this process clears its copy at once (model signals, and again after the
transaction commits); other processes see it within `ttl` seconds. Tests clear everything
between tests (tests/conftest.py), since a rolled-back transaction sends no signal.
"""

import threading
import time
from collections.abc import Callable

from django.db import transaction
from django.db.models.signals import post_delete, post_save

DEFAULT_TTL = 60.0

_store: dict[str, tuple[float, object]] = {}
_lock = threading.Lock()


def cached(key: str, loader: Callable, *, ttl: float = DEFAULT_TTL):
    """The value under `key`, loaded by `loader()` when absent or older than `ttl` seconds."""
    hit = _store.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1]
    value = loader()
    with _lock:
        _store[key] = (now + ttl, value)
    return value


def invalidate(*keys: str) -> None:
    with _lock:
        for key in keys:
            _store.pop(key, None)


def clear() -> None:
    with _lock:
        _store.clear()


def invalidate_on_change(key: str, *models) -> None:
    """Drop `key` whenever a row of one of `models` is saved or deleted in this process."""

    def _changed(sender, **kwargs):
        invalidate(key)
        transaction.on_commit(lambda: invalidate(key))

    for model in models:
        post_save.connect(_changed, sender=model, weak=False, dispatch_uid=f"cache:{key}:{model._meta.label}:save")
        post_delete.connect(_changed, sender=model, weak=False, dispatch_uid=f"cache:{key}:{model._meta.label}:del")
