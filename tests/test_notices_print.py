"""A notice printed and posted up carries its fingerprint; anyone can check a paper copy by it."""

import subprocess

from django.urls import reverse

from twoway.notices.models import Notice

from .test_notices import _published


def test_the_printed_notice_carries_its_text_and_fingerprint(tree, client):
    notice, members = _published(tree)
    response = client.get(reverse("notices:pdf", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    done = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)  # noqa: S603, S607
    text = "".join(done.stdout.decode().split())
    assert notice.title in text and "赞成2，反对1，弃权0" in text
    assert notice.hash in text and "/notices/verify/?hash=" in text
    for person in [*members, tree["community_secretary"]]:
        assert person.name not in text


def test_a_paper_copy_is_checked_by_its_fingerprint(tree, client):
    notice, _m = _published(tree)
    url = reverse("notices:verify")
    page = client.get(url, {"hash": notice.hash.upper()}).content.decode()
    assert "alert-success" in page and notice.title in page
    assert "alert-warning" in client.get(url, {"hash": "0" * 64}).content.decode()
    assert "alert-warning" in client.get(url, {"hash": "not a fingerprint"}).content.decode()
    assert "alert" not in client.get(url).content.decode().split("<main", 1)[-1].split("</form>", 1)[-1]
    Notice.objects.filter(pk=notice.pk).update(body="改过的内容")
    page = client.get(url, {"hash": notice.hash}).content.decode()
    assert "alert-danger" in page


def test_an_unpublished_notice_is_neither_printed_nor_found(tree, client):
    from datetime import timedelta

    notice, _m = _published(tree)
    Notice.objects.filter(pk=notice.pk).update(publish_from=notice.publish_from + timedelta(days=1))
    assert client.get(reverse("notices:pdf", args=[notice.pk])).status_code == 404
    assert notice.title not in client.get(reverse("notices:verify"), {"hash": notice.hash}).content.decode()
