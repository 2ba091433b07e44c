"""The resource directory (R-3.8) as staff use it: add, change, take out of use, and only
within one's own units; a resource out of use no longer shows on appeals."""

import pytest
from django.urls import reverse

from twoway.appeals import flow
from twoway.appeals.models import Resource, ResourceKind
from twoway.appeals.resources import resource_save, resource_set_active, seed_demo_resources
from twoway.audit.models import AuditAction, AuditEntry
from twoway.core.errors import DomainError

from .appeal_helpers import raise_appeal


def a_resource(unit, name="调解工作室", kind=ResourceKind.MEDIATOR, **kwargs):
    return Resource.objects.create(unit=unit, kind=kind, name=name, **kwargs)


def test_a_secretary_adds_changes_and_takes_a_resource_out_of_use(tree, login):
    client = login(tree["community_secretary"])
    unit = tree["community_A1"]
    response = client.post(
        reverse("appeals:resources_new"),
        {
            "unit": unit.pk,
            "kind": ResourceKind.MEDIATOR,
            "name": "A1社区民情调解工作室",
            "contact": "0543-3161111",
            "description": "邻里纠纷调解",
        },
    )
    resource = Resource.objects.get(name="A1社区民情调解工作室")
    assert response.status_code == 302
    assert resource.unit == unit and resource.active and resource.contact == "0543-3161111"
    listing = client.get(reverse("appeals:resources")).content.decode()
    assert "A1社区民情调解工作室" in listing and "邻里纠纷调解" in listing

    client.post(
        reverse("appeals:resources_edit", args=[resource.pk]),
        {"unit": unit.pk, "kind": ResourceKind.VOLUNTEER, "name": "A1社区志愿服务队", "contact": "", "description": ""},
    )
    resource.refresh_from_db()
    assert (resource.name, resource.kind, resource.contact) == ("A1社区志愿服务队", ResourceKind.VOLUNTEER, "")

    client.post(reverse("appeals:resources_active", args=[resource.pk]), {"active": "0"})
    resource.refresh_from_db()
    assert not resource.active
    assert Resource.objects.filter(pk=resource.pk).exists()  # never deleted
    assert resource not in client.get(reverse("appeals:resources")).context["page"]
    assert resource in client.get(reverse("appeals:resources"), {"state": "off"}).context["page"]

    client.post(reverse("appeals:resources_active", args=[resource.pk]), {"active": "1"})
    resource.refresh_from_db()
    assert resource.active
    targets = set(AuditEntry.objects.filter(action=AuditAction.CHANGE).values_list("target", flat=True))
    assert targets == {f"resource:{resource.pk}"}


def test_the_list_filters_by_kind_and_searches_by_name(tree, login):
    unit = tree["community_A1"]
    mediator = a_resource(unit, "民情调解工作室")
    volunteers = a_resource(unit, "志愿服务队", ResourceKind.VOLUNTEER)
    client = login(tree["street_officer"])
    by_kind = list(client.get(reverse("appeals:resources"), {"kind": ResourceKind.VOLUNTEER}).context["page"])
    assert by_kind == [volunteers]
    assert list(client.get(reverse("appeals:resources"), {"q": "调解"}).context["page"]) == [mediator]
    by_unit = client.get(reverse("appeals:resources"), {"unit": tree["community_A2"].pk}).context["page"]
    assert list(by_unit) == []


def test_an_empty_name_names_the_field_and_saves_nothing(tree, login):
    client = login(tree["community_secretary"])
    response = client.post(
        reverse("appeals:resources_new"),
        {"unit": tree["community_A1"].pk, "kind": ResourceKind.MEDIATOR, "name": "  "},
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert 'class="invalid-feedback d-block"' in response.content.decode()
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "名" * 101}, "name"),
        ({"contact": "1" * 101}, "contact"),
        ({"description": "长" * 501}, "description"),
        ({"kind": "astrologer"}, "kind"),
        ({"unit": None}, "unit"),
        ({"unit": "community_A2"}, "unit"),
        ({"unit": "street_A"}, "unit"),
    ],
)
def test_the_rule_refuses_bad_input_and_names_the_field(tree, changes, field):
    args = {"unit": tree["community_A1"], "kind": ResourceKind.LEGAL, "name": "智库顾问团 · 张律师"}
    args.update(changes)
    if isinstance(args["unit"], str):
        args["unit"] = tree[args["unit"]]
    with pytest.raises(DomainError) as err:
        resource_save(user=tree["community_secretary"].user, **args)
    assert err.value.field == field
    assert not Resource.objects.exists()


def test_a_unit_cannot_list_the_same_name_twice(tree):
    user = tree["community_secretary"].user
    resource_save(user=user, unit=tree["community_A1"], kind=ResourceKind.VOLUNTEER, name="志愿服务队")
    with pytest.raises(DomainError) as err:
        resource_save(user=user, unit=tree["community_A1"], kind=ResourceKind.VOLUNTEER, name="志愿服务队")
    assert err.value.field == "name"
    # Another community may have its own team of the same name.
    resource_save(
        user=tree["other_community_secretary"].user, unit=tree["community_A2"], kind="volunteer", name="志愿服务队"
    )
    assert Resource.objects.count() == 2


def test_a_secretary_cannot_touch_another_communitys_directory(tree, login):
    client = login(tree["community_secretary"])
    theirs = a_resource(tree["community_A2"], "A2社区调解室")
    above = a_resource(tree["street_A"], "A街道社工站", ResourceKind.SOCIAL_WORKER)
    mine = a_resource(tree["community_A1"], "A1社区调解室")
    post = {"unit": tree["community_A2"].pk, "kind": ResourceKind.MEDIATOR, "name": "越界资源"}
    assert client.post(reverse("appeals:resources_new"), post).status_code == 404
    assert client.get(reverse("appeals:resources_new"), {"unit": tree["community_A2"].pk}).status_code == 404
    # Nor move one of their own into the other community.
    assert client.post(reverse("appeals:resources_edit", args=[mine.pk]), post).status_code == 404
    for other in (theirs, above):
        assert client.get(reverse("appeals:resources_edit", args=[other.pk])).status_code == 404
        assert client.post(reverse("appeals:resources_active", args=[other.pk]), {"active": "0"}).status_code == 404
    assert not Resource.objects.filter(name="越界资源").exists()
    assert Resource.objects.filter(active=True).count() == 3
    mine.refresh_from_db()
    assert mine.unit == tree["community_A1"]

    response = client.get(reverse("appeals:resources"))
    assert list(response.context["page"]) == [mine]
    assert "A2社区调解室" not in response.content.decode()
    assert client.get(reverse("appeals:resources"), {"unit": tree["community_A2"].pk}).status_code == 404


def test_the_street_sees_its_communities_and_the_auditor_only_reads(tree, login):
    mine = a_resource(tree["community_A1"], "A1社区调解室")
    a_resource(tree["community_B1"], "B1社区调解室")
    assert list(login(tree["street_officer"]).get(reverse("appeals:resources")).context["page"]) == [mine]
    client = login(tree["district_auditor"])
    response = client.get(reverse("appeals:resources"))
    assert response.status_code == 200 and len(response.context["page"]) == 2
    assert reverse("appeals:resources_edit", args=[mine.pk]) not in response.content.decode()
    assert client.get(reverse("appeals:resources_new")).status_code == 403
    assert client.get(reverse("appeals:resources_edit", args=[mine.pk])).status_code == 403
    assert client.post(reverse("appeals:resources_active", args=[mine.pk]), {"active": "0"}).status_code == 403
    mine.refresh_from_db()
    assert mine.active


def test_residents_are_refused(tree, login):
    resource = a_resource(tree["group_A1a"], "楼道志愿者", ResourceKind.VOLUNTEER)
    client = login(tree["resident"])
    assert client.get(reverse("appeals:resources")).status_code == 403
    assert client.get(reverse("appeals:resources_new")).status_code == 403
    assert client.get(reverse("appeals:resources_edit", args=[resource.pk])).status_code == 404


def test_a_resource_out_of_use_leaves_the_appeal_page_chooser(tree, login):
    appeal = raise_appeal(tree)  # handled by resident group A1a
    mediator = a_resource(tree["community_A1"], "A1社区民情调解工作室")
    url = reverse("appeals:detail", args=[appeal.pk])
    leader = login(tree["group_leader"])
    assert mediator in leader.get(url).context["unit_resources"]

    login(tree["community_secretary"]).post(reverse("appeals:resources_active", args=[mediator.pk]), {"active": "0"})

    leader = login(tree["group_leader"])
    assert mediator not in leader.get(url).context["unit_resources"]
    with pytest.raises(DomainError) as err:
        flow.appeal_link_resource(
            user=tree["group_leader"].user, appeal_id=appeal.pk, resource_id=mediator.pk, part="调解"
        )
    assert err.value.field == "resource"
    assert not appeal.resources.exists()


def test_taking_out_of_use_twice_is_refused(tree):
    resource = a_resource(tree["community_A1"])
    user = tree["community_secretary"].user
    resource_set_active(user=user, resource=resource, active=False)
    with pytest.raises(DomainError):
        resource_set_active(user=user, resource=resource, active=False)
    with pytest.raises(DomainError):
        resource_set_active(user=tree["other_community_secretary"].user, resource=resource, active=True)
    resource.refresh_from_db()
    assert not resource.active


def test_the_demo_directory_is_made_once(tree):
    made = seed_demo_resources()
    assert made > 0 and seed_demo_resources() == 0
    assert Resource.objects.filter(unit=tree["community_A1"], name="A1社区民情调解工作室").exists()
    assert Resource.objects.filter(unit=tree["district"], kind=ResourceKind.LEGAL, name__contains="律师").exists()
    assert {r.kind for r in Resource.objects.filter(unit=tree["community_B2"])} >= {
        ResourceKind.MEDIATOR,
        ResourceKind.SOCIAL_WORKER,
        ResourceKind.VOLUNTEER,
        ResourceKind.CHARITY,
        ResourceKind.PARTNER,
    }
