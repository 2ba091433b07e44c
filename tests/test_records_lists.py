"""The three lists (Annex F): a certificate not on the list is refused, citing the rule."""

import pytest
from django.urls import reverse

from twoway.core.errors import DomainError
from twoway.records import lists
from twoway.records.models import CertificateRequest, ListItem


@pytest.fixture
def certificate(tree):
    return lists.item_add(
        user=tree["district_staff"].user, unit=tree["district"], kind="certificate", name="居住证明",
        basis="《滨城区社区出具证明事项清单》第3项",
    )  # fmt: skip


def test_certificate_on_the_list_is_issued(tree, certificate):
    request = lists.certificate_request(
        user=tree["community_secretary"].user, community=tree["community_A1"], name="居住证明", applicant="张某"
    )
    assert request.issued and request.item == certificate and "第3项" in request.reason


def test_certificate_not_on_the_list_is_refused_citing_the_rule(tree, certificate, login):
    client = login(tree["community_secretary"])
    page = client.post(
        reverse("records:certificates"),
        {"community": tree["community_A1"].pk, "name": "亲属关系证明", "applicant": "李某", "purpose": "办理继承"},
    )
    body = page.content.decode()
    refused = CertificateRequest.objects.get()
    assert not refused.issued and refused.item is None
    assert "附录F" in refused.reason and "亲属关系证明" in refused.reason
    assert "附录F" in body
    # A withdrawn entry no longer holds.
    lists.item_set_active(user=tree["district_staff"].user, item_id=certificate.pk, active=False)
    again = lists.certificate_request(
        user=tree["community_secretary"].user, community=tree["community_A1"], name="居住证明", applicant="张某"
    )
    assert not again.issued


def test_entries_hold_below_their_unit_only(tree):
    lists.item_add(user=tree["other_street_officer"].user, unit=tree["community_B1"], kind="certificate",
                   name="独生子女证明", basis="街道文件")  # fmt: skip
    assert lists.items_for(tree["community_B1"], "certificate").count() == 1
    assert lists.items_for(tree["community_A1"], "certificate").count() == 0
    refused = lists.certificate_request(
        user=tree["community_secretary"].user, community=tree["community_A1"], name="独生子女证明", applicant="王某"
    )
    assert not refused.issued


def test_list_entries_are_validated_and_scoped(tree, certificate, login):
    with pytest.raises(DomainError) as basis:
        lists.item_add(user=tree["district_staff"].user, unit=tree["district"], kind="work", name="入户走访", basis="")
    assert basis.value.field == "basis"
    with pytest.raises(DomainError) as duplicate:
        lists.item_add(user=tree["district_staff"].user, unit=tree["district"], kind="certificate", name="居住证明",
                       basis="重复")  # fmt: skip
    assert duplicate.value.field == "name"
    with pytest.raises(DomainError):
        lists.item_add(user=tree["community_secretary"].user, unit=tree["district"], kind="work", name="x", basis="y")
    client = login(tree["community_secretary"])
    assert "居住证明" in client.get(reverse("records:lists")).content.decode()
    # The community reads the district's entry but cannot withdraw it.
    assert client.post(reverse("records:list_item_toggle", args=[certificate.pk])).status_code == 403
    assert ListItem.objects.get().active
