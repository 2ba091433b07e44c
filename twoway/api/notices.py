"""Public notices (公示) over the API: the same published notices the public pages show."""

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from twoway.notices.models import Notice
from twoway.org.models import OrgUnit

from . import cursor as paging
from .appeals import ERRORS
from .schemas import Id, NoticeOut, NoticePage, Text

router = Router(tags=["notices"])


def _notice_out(n: Notice) -> dict:
    now = timezone.now()
    return {
        "id": n.pk,
        "unit": {"id": n.unit_id, "name": n.unit.name, "kind": n.unit.kind},
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "publish_from": n.publish_from,
        "publish_to": n.publish_to,
        "current": n.publish_from <= now < n.publish_to,
        "fingerprint": n.hash,
        "verified": n.compute_hash() == n.hash,
    }


class NoticeFilters(Schema):
    unit: int | None = Field(None, ge=1, le=2**53, description="notices that apply to this unit (its own and above)")
    archive: bool = Field(False, description="true: notices whose period has ended")
    cursor: Text(200) = ""
    limit: int = Field(25, ge=1, le=paging.MAX_LIMIT)


@router.get("/notices", response={200: NoticePage, **ERRORS}, summary="Public notices, newest first")
def notice_list(request: HttpRequest, filters: Query[NoticeFilters]):
    """Public notices carry no personal data, so they are the same for every caller (as on the public page)."""
    now = timezone.now()
    qs = Notice.objects.select_related("unit")
    if filters.unit:
        unit = OrgUnit.objects.filter(pk=filters.unit).first()
        if unit is None:
            raise Http404
        qs = qs.filter(unit__path__in=unit.ancestor_paths)
    qs = qs.filter(publish_to__lte=now) if filters.archive else qs.filter(publish_from__lte=now, publish_to__gt=now)
    rows, next_cursor = paging.page(qs, field="publish_from", cursor=filters.cursor, limit=filters.limit)
    return {"items": [_notice_out(n) for n in rows], "next_cursor": next_cursor}


@router.get("/notices/{pk}", response={200: NoticeOut, **ERRORS}, summary="One public notice, with its check")
def notice_read(request: HttpRequest, pk: Id):
    notice = Notice.objects.select_related("unit").filter(pk=pk, publish_from__lte=timezone.now()).first()
    if notice is None:
        raise Http404
    return _notice_out(notice)
