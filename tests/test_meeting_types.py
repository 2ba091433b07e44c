"""Quorum and majority are configured per meeting type (R-4.2): by district staff only, never
during an open vote, each change in the audit log, and old results still verify afterwards."""

import pytest
from django.urls import reverse

from twoway.audit.models import AuditEntry
from twoway.core.errors import DomainError
from twoway.meetings import agenda, types, votes
from twoway.meetings.models import MeetingType, Motion

from .test_meetings import _meeting, _members, _to_vote, _vote


def _consultation():
    return MeetingType.objects.get(code="consultation")


def test_district_staff_change_the_rule_and_it_is_audited(tree, login):
    client = login(tree["district_staff"])
    t = _consultation()
    page = client.get(reverse("meetings:types")).content.decode()
    assert "议事协商会议" in page and 'name="quorum_percent"' in page
    response = client.post(
        reverse("meetings:types"),
        {"type": t.pk, "quorum_percent": "60", "majority": "two_thirds", "base": "eligible", "secret": "1"},
    )
    assert response.status_code == 302
    t.refresh_from_db()
    assert (t.quorum_percent, t.majority, t.base, t.secret) == (60, "two_thirds", "eligible", True)
    entry = AuditEntry.objects.get(action="change", target="meeting type consultation")
    assert entry.detail["before"]["quorum"] == 50 and entry.detail["after"]["majority"] == "two_thirds"


@pytest.mark.parametrize("who", ["street_officer", "community_secretary", "district_auditor"])
def test_nobody_else_changes_the_rules(tree, login, who):
    client = login(tree[who])
    t = _consultation()
    assert 'name="quorum_percent"' not in client.get(reverse("meetings:types")).content.decode()
    data = {"type": t.pk, "quorum_percent": "10", "majority": "simple", "base": "cast"}
    assert client.post(reverse("meetings:types"), data).status_code == 403
    assert _consultation().quorum_percent == 50


def test_residents_do_not_see_the_rules_page(tree, login):
    assert login(tree["resident"]).get(reverse("meetings:types")).status_code == 403


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("quorum_percent", {"quorum_percent": "0"}),
        ("quorum_percent", {"quorum_percent": "abc"}),
        ("majority", {"majority": "most"}),
        ("base", {"base": "everyone"}),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field(tree, field, data):
    values = {"quorum_percent": "50", "majority": "simple", "base": "cast", "secret": False, **data}
    with pytest.raises(DomainError) as err:
        types.meeting_type_update(user=tree["district_staff"].user, type_id=_consultation().pk, **values)
    assert err.value.field == field
    assert _consultation().quorum_percent == 50 and not AuditEntry.objects.filter(action="change").exists()


def test_the_rule_cannot_change_during_an_open_vote_and_old_results_still_verify(tree):
    secretary = tree["community_secretary"].user
    members = _members(tree, 3)
    meeting = _meeting(tree, members)
    motion = agenda.motion_add(user=secretary, topic=_to_vote(tree, meeting), text="同意")
    votes.motion_open(user=secretary, motion_id=motion.pk)
    change = {"quorum_percent": 100, "majority": "two_thirds", "base": "eligible", "secret": False}
    with pytest.raises(DomainError) as err:
        types.meeting_type_update(user=tree["district_staff"].user, type_id=_consultation().pk, **change)
    assert err.value.code == "vote_open"
    _vote(tree, motion, members, ["for", "for", "against"])
    motion = votes.motion_close(user=secretary, motion_id=motion.pk)
    assert motion.passed is True
    types.meeting_type_update(user=tree["district_staff"].user, type_id=_consultation().pk, **change)
    assert votes.motion_recount(Motion.objects.get(pk=motion.pk))  # 2 of 3 passed under the old rule
