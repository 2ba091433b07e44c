import re

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from twoway.core.pages import paginate
from twoway.core.parse import as_int
from twoway.org.models import OrgUnit

from .models import Notice


def notice_list(request):
    """Public notices (公示), current and archived. Public: they carry no personal data."""
    qs = Notice.objects.select_related("unit")
    unit = None
    if request.GET.get("unit"):
        unit = OrgUnit.objects.filter(pk=as_int(request.GET["unit"])).first()
        if unit is None:
            raise Http404
        qs = qs.filter(unit__path__in=unit.ancestor_paths)
    archive = request.GET.get("archive") == "1"
    now = timezone.now()
    qs = qs.filter(publish_to__lte=now) if archive else qs.filter(publish_from__lte=now, publish_to__gt=now)
    return render(request, "notices/list.html", {"page": paginate(request, qs), "unit": unit, "archive": archive})


def notice_detail(request, pk):
    notice = _published(pk)
    return render(request, "notices/detail.html", {"notice": notice, "verified": notice.compute_hash() == notice.hash})


def _published(pk) -> Notice:
    notice = Notice.objects.select_related("unit").filter(pk=pk, publish_from__lte=timezone.now()).first()
    if notice is None:
        raise Http404
    return notice


def notice_pdf(request, pk):
    """A notice to print and post up, with its fingerprint and where to check it."""
    from weasyprint import HTML

    notice = _published(pk)
    check_url = request.build_absolute_uri(reverse("notices:verify")) + f"?hash={notice.hash}"
    html = render_to_string(
        "notices/print.html",
        {"notice": notice, "check_url": check_url, "font": "Noto Sans CJK SC"},
        request=request,
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{notice.pk}.pdf"'
    return response


HASH = re.compile(r"[0-9a-f]{64}")


def notice_verify(request):
    """Check a printed notice: its fingerprint finds the published text, which must still match it."""
    given = (request.GET.get("hash") or "").strip().lower()
    notice, checked = None, bool(given)
    if HASH.fullmatch(given):
        notice = Notice.objects.select_related("unit").filter(hash=given, publish_from__lte=timezone.now()).first()
    return render(
        request,
        "notices/verify.html",
        {
            "given": given,
            "checked": checked,
            "notice": notice,
            "verified": notice is not None and notice.compute_hash() == given,
        },
    )
