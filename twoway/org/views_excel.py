"""Excel import and export of the tree, households and people."""

from django.contrib.auth.decorators import login_required
from django.http import Http404

from .scope import require_staff


@login_required
def import_page(request):
    require_staff(request.user)
    raise Http404


@login_required
def import_template(request, kind):
    require_staff(request.user)
    raise Http404


@login_required
def export(request, kind):
    require_staff(request.user)
    raise Http404
