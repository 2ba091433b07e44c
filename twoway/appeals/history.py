"""Reading an appeal's history back: replay its events, and check the hash chain."""

from dataclasses import dataclass

from .models import AppealEvent, EventKind

MOVES = {EventKind.ESCALATED, EventKind.ASSIGNED, EventKind.ANSWERED}


@dataclass(frozen=True)
class Replayed:
    status: str
    handling_unit_id: int


def replay(events: list[AppealEvent]) -> Replayed:
    """The state the events lead to: the status after the last one, and where the appeal is."""
    unit = events[0].unit_id
    for e in events:
        if e.kind in MOVES and e.to_unit_id:
            unit = e.to_unit_id
    return Replayed(status=events[-1].status, handling_unit_id=unit)


def chain_breaks(events: list[AppealEvent]) -> list[str]:
    """Every place where the chain does not hold: a gap in the steps, a wrong link, a wrong hash."""
    problems = []
    prev = ""
    for expected_seq, e in enumerate(events, start=1):
        if e.seq != expected_seq:
            problems.append(f"step {e.seq}: expected step {expected_seq}")
        if e.prev_hash != prev:
            problems.append(f"step {e.seq}: does not link to the step before")
        if e.compute_hash() != e.hash:
            problems.append(f"step {e.seq}: content does not match its hash")
        prev = e.hash
    return problems
