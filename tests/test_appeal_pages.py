"""The appeal pages as residents and staff use them."""

import uuid

from django.urls import reverse

from twoway.appeals.models import Appeal, Category, Status


def _form(**extra):
    data = {
        "category": Category.objects.get(code="ENV01").pk,
        "description": "小区东门路灯不亮已一周",
        "place": "东门",
        "idem_key": uuid.uuid4().hex,
    }
    data.update(extra)
    return data


def test_a_resident_raises_an_appeal_and_sees_its_status_page(tree, login):
    client = login(tree["resident"])
    form_page = client.get(reverse("appeals:new"))
    assert form_page.status_code == 200 and "环境卫生" in form_page.content.decode()
    response = client.post(reverse("appeals:new"), _form())
    appeal = Appeal.objects.get()
    assert response["Location"] == reverse("appeals:detail", args=[appeal.pk])
    page = client.get(response["Location"]).content.decode()
    assert appeal.number in page and "小区东门路灯不亮已一周" in page


def test_a_double_submit_creates_one_appeal(tree, login):
    client = login(tree["resident"])
    data = _form()
    client.post(reverse("appeals:new"), data)
    client.post(reverse("appeals:new"), data)
    assert Appeal.objects.count() == 1


def test_an_empty_description_names_the_field(tree, login):
    client = login(tree["resident"])
    response = client.post(reverse("appeals:new"), _form(description=""))
    assert response.status_code == 200 and Appeal.objects.count() == 0
    assert "invalid-feedback" in response.content.decode()


def test_a_non_image_photo_is_refused_on_the_page(tree, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(tree["resident"])
    data = _form(photos=SimpleUploadedFile("x.jpg", b"not really a jpeg", content_type="image/jpeg"))
    response = client.post(reverse("appeals:new"), data)
    assert response.status_code == 200 and Appeal.objects.count() == 0
    assert "x.jpg" in response.content.decode()


def test_staff_handle_through_the_page_and_the_resident_rates(tree, login):
    client = login(tree["resident"])
    client.post(reverse("appeals:new"), _form())
    appeal = Appeal.objects.get()
    leader = login(tree["group_leader"])
    assert appeal.number in leader.get(reverse("appeals:queue")).content.decode()
    leader.post(reverse("appeals:act", args=[appeal.pk, "accept"]))
    leader.post(reverse("appeals:act", args=[appeal.pk, "note"]), {"note": "内部备注：物业电话", "internal": "1"})
    leader.post(reverse("appeals:act", args=[appeal.pk, "resolve"]), {"outcome": "已更换灯泡"})
    resident = login(tree["resident"])
    page = resident.get(reverse("appeals:detail", args=[appeal.pk])).content.decode()
    assert "已更换灯泡" in page and "内部备注" not in page
    resident.post(reverse("appeals:act", args=[appeal.pk, "rate"]), {"score": "satisfied", "comment": "谢谢"})
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED


def test_a_second_officer_gets_a_clear_answer(tree, login):
    client = login(tree["resident"])
    client.post(reverse("appeals:new"), _form())
    appeal = Appeal.objects.get()
    login(tree["group_leader"]).post(reverse("appeals:act", args=[appeal.pk, "accept"]))
    response = login(tree["community_secretary"]).post(reverse("appeals:act", args=[appeal.pk, "accept"]), follow=True)
    assert "测试group_leader" in response.content.decode()
    assert appeal.events.filter(kind="accepted").count() == 1


def test_staff_raise_on_behalf_of_a_resident(tree, login):
    client = login(tree["grid_worker"])
    url = reverse("appeals:new") + f"?for={tree['resident'].pk}"
    assert tree["resident"].name in client.get(url).content.decode()
    client.post(url, _form(**{"for": tree["resident"].pk, "channel": "walk_in"}))
    appeal = Appeal.objects.get()
    assert appeal.raised_by == tree["resident"] and appeal.channel == "walk_in" and appeal.proxy == tree["grid_worker"]


def test_notifications_reach_the_resident(tree, login):
    client = login(tree["resident"])
    client.post(reverse("appeals:new"), _form())
    inbox = client.get(reverse("notify:inbox")).content.decode()
    assert Appeal.objects.get().number in inbox


def test_a_location_from_the_phone_is_stored(tree, login):
    client = login(tree["resident"])
    client.post(reverse("appeals:new"), _form(lat="37.383543", lng="117.970703"))
    appeal = Appeal.objects.get()
    assert (str(appeal.lat), str(appeal.lng)) == ("37.383543", "117.970703")


def test_the_person_page_offers_to_raise_an_appeal_on_their_behalf(tree, login):
    page = login(tree["grid_worker"]).get(reverse("org:person", args=[tree["resident"].pk])).content.decode()
    assert f"{reverse('appeals:new')}?for={tree['resident'].pk}" in page
    # A resident looking at their own page is not offered it.
    page = login(tree["resident"]).get(reverse("org:person", args=[tree["resident"].pk])).content.decode()
    assert "?for=" not in page
