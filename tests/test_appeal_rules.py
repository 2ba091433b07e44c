"""Rules of the appeal domain: bad input, concurrency, idempotency, the hash chain."""

import threading

import pytest
from django.db import connection

from twoway.appeals import flow
from twoway.appeals.models import Appeal, AppealEvent, AppendOnlyError
from twoway.core.errors import DomainError

from .appeal_helpers import a_category, raise_appeal


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"description": "   "}, "description"),
        ({"description": "长" * 2001}, "description"),
        ({"category_id": 999999}, "category"),
        ({"category_id": "abc"}, "category"),
        ({"lat": "north", "lng": "1"}, "lat"),
        ({"lat": "95", "lng": "117"}, "lat"),
    ],
)
def test_bad_input_changes_nothing_and_names_the_field(tree, kwargs, field):
    with pytest.raises(DomainError) as err:
        raise_appeal(tree, **kwargs)
    assert err.value.field == field
    assert Appeal.objects.count() == 0 and AppealEvent.objects.count() == 0


def test_a_top_level_category_is_not_enough(tree):
    with pytest.raises(DomainError) as err:
        raise_appeal(tree, category_id=a_category("ENV").pk)
    assert err.value.field == "category"


def test_the_same_idempotency_key_returns_the_first_appeal(tree):
    first = raise_appeal(tree, idem_key="k-123")
    again = raise_appeal(tree, idem_key="k-123", description="双击又提交了一次")
    assert again.pk == first.pk
    assert Appeal.objects.count() == 1 and AppealEvent.objects.count() == 1


def test_a_transition_not_allowed_in_the_current_state_is_refused(tree):
    appeal = raise_appeal(tree)
    with pytest.raises(DomainError) as err:
        flow.appeal_resolve(user=tree["group_leader"].user, appeal_id=appeal.pk, outcome="x")
    assert err.value.code == "already_handled"


def test_two_officers_accepting_at_once_one_wins(tree):
    appeal = raise_appeal(tree)
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=appeal.pk)
    with pytest.raises(DomainError) as err:
        flow.appeal_accept(user=tree["community_secretary"].user, appeal_id=appeal.pk)
    assert err.value.code == "already_handled"
    assert "测试group_leader" in err.value.message  # names who got there first
    assert appeal.events.filter(kind="accepted").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_accepts_in_two_threads_give_one_success(tree):
    appeal = raise_appeal(tree)
    results = []
    barrier = threading.Barrier(2)

    def act(who):
        try:
            barrier.wait()
            flow.appeal_accept(user=tree[who].user, appeal_id=appeal.pk)
            results.append("ok")
        except DomainError as error:
            results.append(error.code)
        except Exception as error:  # SQLite may refuse the second writer as busy
            results.append(type(error).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(w,)) for w in ("group_leader", "community_secretary")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert results.count("ok") == 1
    assert appeal.events.filter(kind="accepted").count() == 1


def test_events_are_append_only_and_chained(tree):
    appeal = raise_appeal(tree)
    flow.appeal_accept(user=tree["group_leader"].user, appeal_id=appeal.pk)
    first, second = appeal.events.order_by("seq")
    assert second.prev_hash == first.hash and second.hash == second.compute_hash()
    second.note = "篡改"
    with pytest.raises(AppendOnlyError):
        second.save()
    with pytest.raises(AppendOnlyError):
        first.delete()


def test_photos_must_be_images(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(DomainError) as err:
        raise_appeal(tree, photos=[fake])
    assert err.value.field == "photos" and Appeal.objects.count() == 0


def test_photos_are_re_encoded(tree, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buf = io.BytesIO()
    Image.new("RGB", (3000, 1000), "red").save(buf, "PNG")
    upload = SimpleUploadedFile("x.png", buf.getvalue(), content_type="image/png")
    appeal = raise_appeal(tree, photos=[upload])
    photo = appeal.photos.get()
    assert (photo.width, photo.height) == (2048, 683)
    assert photo.image.read(3) == b"\xff\xd8\xff"  # JPEG


def test_more_than_five_photos_are_refused(tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(f"{i}.jpg", b"x") for i in range(6)]
    with pytest.raises(DomainError) as err:
        raise_appeal(tree, photos=files)
    assert err.value.code == "too_many_photos"
