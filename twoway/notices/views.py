from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from twoway.core.pages import paginate
from twoway.org.models import OrgUnit

from .models import Notice


def notice_list(request):
    """Public notices (公示), current and archived. Public: they carry no personal data."""
    qs = Notice.objects.select_related("unit")
    unit = None
    if request.GET.get("unit"):
        unit = OrgUnit.objects.filter(pk=request.GET["unit"] if request.GET["unit"].isdigit() else None).first()
        if unit is None:
            raise Http404
        qs = qs.filter(unit__path__in=unit.ancestor_paths)
    archive = request.GET.get("archive") == "1"
    now = timezone.now()
    qs = qs.filter(publish_to__lte=now) if archive else qs.filter(publish_from__lte=now, publish_to__gt=now)
    return render(request, "notices/list.html", {"page": paginate(request, qs), "unit": unit, "archive": archive})


def notice_detail(request, pk):
    notice = Notice.objects.select_related("unit").filter(pk=pk, publish_from__lte=timezone.now()).first()
    if notice is None:
        raise Http404
    return render(request, "notices/detail.html", {"notice": notice, "verified": notice.compute_hash() == notice.hash})
