"""Each role lands on its own home page."""

from django.urls import reverse


def test_staff_home_shows_their_units_with_counts(tree, login):
    client = login(tree["community_secretary"])
    response = client.get(reverse("home"))
    summaries = response.context["summaries"]
    assert [s.unit for s in summaries] == [tree["community_A1"]]
    assert summaries[0].households == 4 and summaries[0].children == 2
    assert "A1社区" in response.content.decode()


def test_resident_home_shows_their_household_not_the_menu(tree, login):
    client = login(tree["resident"])
    response = client.get(reverse("home"))
    assert response.templates[0].name == "core/home_resident.html"
    names = [e.url_name for e in response.context["nav_entries"]]
    assert names[:2] == ["appeals:new", "appeals:mine"], "raising and following appeals come first"
    assert {"meetings:list", "notices:list", "notify:inbox"} <= set(names)
    staff_only = {"appeals:queue", "org:tree", "org:people", "org:households", "org:import", "audit:list"}
    assert not staff_only & set(names)
    assert reverse("org:household", args=[tree["resident"].household_id]) in response.content.decode()


def test_resident_home_shows_the_feed_newest_first(tree, login, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from twoway.core import feed

    now = timezone.now()
    seen = []

    def meetings(person, *, limit):
        seen.append(person)
        return [feed.FeedItem(now - timedelta(days=2), "居民议事会：楼道堆物", "/m/1/", "会议")]

    def notices(person, *, limit):
        return [feed.FeedItem(now - timedelta(hours=1), "公示：电梯加装结果", "/n/1/", "公示", unread=True)]

    monkeypatch.setattr(feed, "_sources", lambda: (meetings, notices))
    page = login(tree["resident"]).get(reverse("home")).content.decode()
    assert seen == [tree["resident"]]
    assert page.index("公示：电梯加装结果") < page.index("居民议事会：楼道堆物")
    assert 'href="/n/1/"' in page

    monkeypatch.setattr(feed, "_sources", lambda: ())
    page = login(tree["resident"]).get(reverse("home")).content.decode()
    assert "身边暂无新消息" in page


def test_resident_cannot_open_staff_lists(tree, login):
    client = login(tree["resident"])
    for name in ("org:tree", "org:people", "org:households", "org:grids"):
        assert client.get(reverse(name)).status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_elder_mode_is_remembered_on_the_user(tree, login):
    client = login(tree["resident"])
    client.post(reverse("elder_mode"), {"on": "1", "next": "/"})
    tree["resident"].user.refresh_from_db()
    assert tree["resident"].user.elder_mode
    client.cookies.clear()
    client.force_login(tree["resident"].user)
    assert 'class="elder' in client.get(reverse("home")).content.decode()


def test_elder_mode_refuses_an_offsite_redirect(tree, login):
    client = login(tree["resident"])
    response = client.post(reverse("elder_mode"), {"on": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_staff_home_counts_appeals_waiting_and_overdue(tree, login):
    from datetime import timedelta

    from django.utils import timezone

    from twoway.appeals import flow
    from twoway.appeals.models import Appeal

    from .appeal_helpers import raise_appeal

    a = raise_appeal(tree)
    b = raise_appeal(tree, description="路灯不亮")
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=b.pk)
    Appeal.objects.filter(pk=a.pk).update(due_at=timezone.now() - timedelta(hours=1))
    counts = login(tree["group_leader"]).get(reverse("home")).context["appeal_counts"]
    assert counts == {"todo": 1, "doing": 1, "red": 1, "yellow": 0}
    # Another street sees none of them.
    assert login(tree["other_street_officer"]).get(reverse("home")).context["appeal_counts"]["todo"] == 0
