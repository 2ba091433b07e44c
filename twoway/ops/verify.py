"""Tamper evidence across the record: appeal hash chains, appeal state against the replay of
its events, and public notices against their published fingerprints."""

from collections.abc import Iterator
from dataclasses import dataclass

from twoway.appeals.history import chain_breaks, replay
from twoway.appeals.models import Appeal, AppealEvent
from twoway.notices.models import Notice


@dataclass(frozen=True)
class Problem:
    kind: str  # "chain", "state", "no_history", "notice"
    ref: str  # the appeal number or notice id
    detail: str

    def __str__(self):
        return f"{self.kind} {self.ref}: {self.detail}"


def appeal_problems(*, chunk: int = 5000) -> Iterator[Problem]:
    """Each break of an appeal's chain, and each appeal whose state is not its events' replay."""
    appeals = Appeal.objects.order_by("pk").values_list("pk", "number", "status", "handling_unit_id")
    events = AppealEvent.objects.order_by("appeal_id", "seq").iterator(chunk_size=chunk)
    pending = next(events, None)
    for pk, number, status, unit_id in appeals.iterator(chunk_size=chunk):
        history = []
        while pending is not None and pending.appeal_id < pk:
            pending = next(events, None)  # events of an appeal no longer present
        while pending is not None and pending.appeal_id == pk:
            history.append(pending)
            pending = next(events, None)
        if not history:
            yield Problem("no_history", number, "no events")
            continue
        for problem in chain_breaks(history):
            yield Problem("chain", number, problem)
        state = replay(history)
        if (state.status, state.handling_unit_id) != (status, unit_id):
            yield Problem(
                "state",
                number,
                f"status {status} at unit {unit_id}, events say {state.status} at unit {state.handling_unit_id}",
            )


def notice_problems() -> Iterator[Problem]:
    """Each public notice whose content no longer matches the fingerprint it was published with."""
    for notice in Notice.objects.order_by("pk").iterator(chunk_size=2000):
        if notice.compute_hash() != notice.hash:
            yield Problem("notice", str(notice.pk), f"“{notice.title[:40]}” does not match its fingerprint")
