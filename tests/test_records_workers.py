"""Community workers (Annex D, E): register, route in, pay grade, yearly assessment,
commendations, exit with its reason, counts per unit."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from twoway.core.errors import DomainError
from twoway.org.models import Person
from twoway.records import workers
from twoway.records.models import CommunityWorker


def _register(tree, person=None, **kw):
    person = person or Person.objects.filter(unit=tree["group_A1a"], user__isnull=True).first()
    args = {"user": tree["community_secretary"].user, "person_id": person.pk, "unit": tree["community_A1"],
            "post": "社区专职工作者", "route": "recruitment", "pay_grade": 3, "joined_on": date(2021, 5, 1)}  # fmt: skip
    return workers.worker_register(**{**args, **kw})


def test_register_validates_each_field(tree):
    for kwargs, field in (
        ({"pay_grade": 19}, "pay_grade"),
        ({"pay_grade": 0}, "pay_grade"),
        ({"route": "appointed"}, "route"),
        ({"post": " "}, "post"),
        ({"joined_on": None}, "joined_on"),
        ({"person": Person.objects.filter(unit=tree["group_B1a"]).first()}, "person"),
    ):
        with pytest.raises(DomainError) as error:
            _register(tree, **kwargs)
        assert error.value.field == field
    _register(tree, pay_grade=18)
    with pytest.raises(DomainError) as twice:
        _register(tree)
    assert twice.value.field == "person"


def test_assessment_commendation_and_exit(tree):
    worker = _register(tree)
    user = tree["community_secretary"].user
    workers.assessment_record(user=user, worker_id=worker.pk, year=2024, grade="excellent")
    assert not workers.exit_due(worker)
    with pytest.raises(DomainError) as twice:
        workers.assessment_record(user=user, worker_id=worker.pk, year=2024, grade="competent")
    assert twice.value.field == "year"
    with pytest.raises(DomainError):
        workers.assessment_record(user=user, worker_id=worker.pk, year=2020, grade="competent")  # before joining
    workers.assessment_record(user=user, worker_id=worker.pk, year=2025, grade="incompetent")
    assert workers.exit_due(worker)
    workers.commendation_add(user=user, worker_id=worker.pk, title="优秀社区工作者", awarded_by="区民政局",
                             awarded_on=date(2024, 12, 1))  # fmt: skip
    with pytest.raises(DomainError) as other:
        workers.worker_exit(user=user, worker_id=worker.pk, exited_on=timezone.localdate(), reason="other", note="")
    assert other.value.field == "exit_note"
    workers.worker_exit(user=user, worker_id=worker.pk, exited_on=timezone.localdate(), reason="assessment")
    worker.refresh_from_db()
    assert worker.exit_reason == "assessment" and not workers.exit_due(worker)
    with pytest.raises(DomainError):
        workers.worker_exit(user=user, worker_id=worker.pk, exited_on=timezone.localdate(), reason="resignation")
    # Having left, the person may be registered again (a new post).
    assert _register(tree, person=worker.person, route="election").pk != worker.pk


def test_counts_per_unit_and_scope(tree, login):
    people = list(Person.objects.filter(unit__path__startswith=tree["community_A1"].path, user__isnull=True)[:3])
    _register(tree, person=people[0])
    _register(tree, person=people[1], route="election")
    gone = _register(tree, person=people[2])
    workers.worker_exit(user=tree["community_secretary"].user, worker_id=gone.pk, exited_on=timezone.localdate(),
                        reason="resignation")  # fmt: skip
    counts = workers.counts_per_unit(tree["street_officer"].user)
    assert [(c["unit__name"], c["active"], c["elected"], c["recruited"], c["left"]) for c in counts] == [
        ("A1社区", 2, 1, 1, 1)
    ]
    assert workers.counts_per_unit(tree["other_street_officer"].user) == []
    page = login(tree["street_officer"]).get(reverse("records:workers"))
    assert people[0].name in page.content.decode()
    other = login(tree["other_community_secretary"])
    assert other.get(reverse("records:worker", args=[gone.pk])).status_code == 404
    assert CommunityWorker.objects.count() == 3


def test_worker_pages(tree, login):
    client = login(tree["community_secretary"])
    person = Person.objects.filter(unit=tree["group_A1a"], user__isnull=True).first()
    found = client.get(reverse("records:worker_new"), {"unit": tree["community_A1"].pk, "q": person.name})
    assert person.name in found.content.decode()
    response = client.post(reverse("records:worker_new"), {"unit": tree["community_A1"].pk, "person": person.pk,
                                                            "post": "网格员", "route": "recruitment", "pay_grade": "4",
                                                            "joined_on": "2022-01-01"})  # fmt: skip
    worker = CommunityWorker.objects.get()
    assert response.status_code == 302
    act = reverse("records:worker_act", args=[worker.pk])
    client.post(act, {"action": "grade", "pay_grade": "6"})
    client.post(act, {"action": "assess", "year": "2024", "grade": "competent"})
    page = client.get(reverse("records:worker", args=[worker.pk])).content.decode()
    worker.refresh_from_db()
    assert worker.pay_grade == 6 and "2024" in page
