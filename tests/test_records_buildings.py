"""Service buildings: floor areas per unit with their shortfalls, and the handover workflow of a
residential development, with completion filing refused while no agreement is signed (A.4.2)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from twoway.core.errors import DomainError
from twoway.records import buildings
from twoway.records.models import Development, HandoverEvent, SafetyCheck, ServiceSpace


def test_standards_page_lists_shortfalls_per_unit(tree, login):
    client = login(tree["street_officer"])
    a1, a2 = tree["community_A1"], tree["community_A2"]
    response = client.post(reverse("records:space_edit", args=[a1.pk]), {"centre_area": "299.99", "households": "100"})
    assert response.status_code == 302
    client.post(
        reverse("records:space_edit", args=[a2.pk]), {"centre_area": "500", "households": "1667", "newly_built": "1"}
    )
    client.post(reverse("records:space_edit", args=[tree["street_A"].pk]), {"centre_area": "1000"})
    body = client.get(reverse("records:buildings")).content.decode()
    assert "0.01" in body  # A1: 0.01 m² short of 300 m²
    short = client.get(reverse("records:buildings"), {"short": "1"}).content.decode()
    assert a1.name in short and a2.name in short  # A2: 1667 households need 500.1 m²
    assert "A街道</strong>" not in short  # the street centre meets 1000 m² exactly
    assert ServiceSpace.objects.get(unit=a2).newly_built


def test_bad_areas_are_refused_naming_the_field(tree, login):
    client = login(tree["community_secretary"])
    unit = tree["community_A1"]
    page = client.post(reverse("records:space_edit", args=[unit.pk]), {"centre_area": "很多", "households": "10"})
    assert page.status_code == 200 and "centre_area" in page.content.decode()
    with pytest.raises(DomainError) as error:
        buildings.space_set(user=tree["community_secretary"].user, unit=unit, centre_area="-1", households=1,
                            newly_built=False)  # fmt: skip
    assert error.value.field == "centre_area"
    with pytest.raises(DomainError):
        buildings.space_set(user=tree["community_secretary"].user, unit=tree["community_A2"], centre_area="1",
                            households=1, newly_built=False)  # fmt: skip
    assert not ServiceSpace.objects.exists()


def _development(tree):
    return buildings.development_create(
        user=tree["street_officer"].user, street=tree["street_A"], community=tree["community_A1"],
        name="锦绣花园", developer="滨州置业", households=400, planned_area="120",
    )  # fmt: skip


def test_completion_filing_is_blocked_without_the_agreement(tree):
    user = tree["street_officer"].user
    dev = _development(tree)
    buildings.development_advance(user=user, development_id=dev.pk, expected="land")
    with pytest.raises(DomainError) as error:
        buildings.development_advance(user=user, development_id=dev.pk, expected="construction")
    assert error.value.code == "no_agreement" and "A.4.2" in error.value.message
    dev.refresh_from_db()
    assert dev.stage == "construction"
    buildings.agreement_sign(user=user, development_id=dev.pk, number="移交协议2026-01", signed_on=timezone.localdate())
    buildings.development_advance(user=user, development_id=dev.pk, expected="construction")
    dev.refresh_from_db()
    assert dev.stage == "filing"


def test_whole_handover_and_scheduled_safety_checks(tree):
    user = tree["street_officer"].user
    dev = _development(tree)
    buildings.agreement_sign(user=user, development_id=dev.pk, number="XY-1", signed_on=timezone.localdate())
    with pytest.raises(DomainError):
        buildings.agreement_sign(user=user, development_id=dev.pk, number="XY-2", signed_on=timezone.localdate())
    for stage in ("land", "construction", "filing", "handover"):
        buildings.development_advance(user=user, development_id=dev.pk, expected=stage)
    dev.refresh_from_db()
    assert dev.stage == "supervision"
    first = dev.checks.get()
    assert first.due_on == timezone.localdate() + timedelta(buildings.SAFETY_CHECK_DAYS)
    with pytest.raises(DomainError) as last:
        buildings.development_advance(user=user, development_id=dev.pk, expected="supervision")
    assert last.value.code == "last_stage"
    # A stale page (someone moved it on already) gets a clear answer.
    with pytest.raises(DomainError) as stale:
        buildings.development_advance(user=user, development_id=dev.pk, expected="handover")
    assert stale.value.code == "stale"
    # Overdue once the due day has passed; recording it schedules the next.
    later = first.due_on + timedelta(days=1)
    with time_machine.travel(later, tick=False):
        assert list(buildings.overdue_checks([dev.pk])) == [first]
        with pytest.raises(DomainError) as hazard:
            buildings.safety_check_record(user=user, development_id=dev.pk, done_on=later, hazard=True, note="")
        assert hazard.value.field == "note"
        buildings.safety_check_record(user=user, development_id=dev.pk, done_on=later, hazard=True, note="消防通道堵塞")
        assert not buildings.overdue_checks([dev.pk]).exists()
    nxt = SafetyCheck.objects.get(development=dev, done_on__isnull=True)
    assert nxt.due_on == later + timedelta(buildings.SAFETY_CHECK_DAYS)
    kinds = list(HandoverEvent.objects.filter(development=dev).values_list("kind", flat=True))
    assert kinds == ["land", "agreement", "construction", "filing", "handover", "supervision", "check"]


def test_handover_needs_the_street(tree, login):
    dev = _development(tree)
    with pytest.raises(DomainError):
        buildings.development_advance(user=tree["community_secretary"].user, development_id=dev.pk, expected="land")
    client = login(tree["community_secretary"])
    assert client.get(reverse("records:development", args=[dev.pk])).status_code == 200  # may read
    act = reverse("records:development_act", args=[dev.pk])
    assert client.post(act, {"action": "advance", "expected": "land"}).status_code == 403
    assert login(tree["other_street_officer"]).get(reverse("records:development", args=[dev.pk])).status_code == 404


def test_development_registration_validates(tree, login):
    client = login(tree["street_officer"])
    page = client.post(reverse("records:developments"), {"street": tree["street_A"].pk, "name": "新城",
                                                         "developer": "某公司", "households": "0", "planned_area": "9"})  # fmt: skip
    assert page.status_code == 200 and not Development.objects.exists()
    page = client.post(reverse("records:developments"), {"street": tree["street_A"].pk, "name": "新城",
                                                         "developer": "某公司", "households": "100", "planned_area": "29"})  # fmt: skip
    dev = Development.objects.get()
    detail = client.get(reverse("records:development", args=[dev.pk])).content.decode()
    assert "30" in detail and "A.2.1" in detail  # planned rooms short of 30 m² per 100 households
