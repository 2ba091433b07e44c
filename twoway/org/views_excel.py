"""Excel import and export of the tree, households and people. The work is in excel.py."""

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from twoway.audit.log import AuditAction, audit_record

from . import excel
from .models import RoleKind
from .scope import require_staff, unit_get

# How many problems of a refused sheet the page lists; the count shows them all.
ERRORS_SHOWN = 500


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the sheet contains"),
        choices=[(s.kind, s.label) for s in excel.SHEETS.values()],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.FileInput(attrs={"accept": f".xlsx,{excel.XLSX_CONTENT_TYPE}"}),
    )


def _spec_or_404(kind: str) -> excel.SheetSpec:
    spec = excel.sheet_spec(kind)
    if spec is None:
        raise Http404
    return spec


@login_required
def import_page(request):
    """GET: the three kinds of sheet, their templates and the upload form. POST: import one."""
    require_staff(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = excel.import_sheet(user=request.user, kind=form.cleaned_data["kind"], file=upload)
        audit_record(
            request=request,
            action=AuditAction.IMPORT,
            target=f"import:{result.kind}",
            detail={**result.audit_detail(), "file": upload.name[:100]},
        )
        if result.ok:
            form = ImportForm()
    return render(
        request,
        "org/import.html",
        {
            "form": form,
            "specs": list(excel.SHEETS.values()),
            "result": result,
            "errors_shown": result.errors[:ERRORS_SHOWN] if result else [],
            "max_mb": excel.MAX_BYTES // (1024 * 1024),
            "max_rows": excel.MAX_ROWS,
        },
    )


@login_required
def import_template(request, kind):
    """The empty .xlsx to fill in for one kind of sheet."""
    require_staff(request.user)
    _spec_or_404(kind)
    out = io.BytesIO()
    excel.write_template(kind=kind, out=out)
    return _xlsx_response(out, filename=excel.template_filename(kind=kind))


@login_required
def export(request, kind):
    """What the user may see of one kind, as .xlsx: ?unit= narrows to a unit, ?q= searches."""
    require_staff(request.user)
    _spec_or_404(kind)
    unit = unit_get(request.user, request.GET["unit"]) if request.GET.get("unit") else None
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role", "") if kind == "people" else ""
    role = role if role in RoleKind.values else ""
    out = io.BytesIO()
    summary = excel.write_export(user=request.user, kind=kind, out=out, unit=unit, q=q, role=role)
    audit_record(
        request=request,
        action=AuditAction.EXPORT,
        target=f"export:{kind}",
        detail={
            "kind": kind,
            "rows": summary.rows,
            "unmasked": summary.unmasked,
            "unit": unit.pk if unit else None,
            "q": q[:100],
            "role": role,
        },
    )
    return _xlsx_response(out, filename=excel.export_filename(kind=kind))


def _xlsx_response(out: io.BytesIO, *, filename: str) -> HttpResponse:
    """A download of a finished workbook. The rows were streamed into it; the file itself
    (a zip) is complete only at the end, so it is sent whole."""
    response = HttpResponse(out.getvalue(), content_type=excel.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"  # personal data: keep it out of shared caches
    return response
