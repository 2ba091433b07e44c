"""A community's autonomy charter and residents' convention (居民自治章程, 居民公约; R-1.4,
§4.3 c): kept by the community, published to its residents. Each publication is a new
version; the newest of each kind is in force, and the older ones stay as its history."""

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from twoway.core.errors import DomainError
from twoway.core.text import clean_text
from twoway.org.models import OrgUnit, Person, UnitKind

from .cobuild import community_of
from .models import CommunityDocument, DocumentKind
from .plans import actor_of

TITLE_MAX = 120
TEXT_MAX = 20000


def in_force(community: OrgUnit) -> list[CommunityDocument]:
    """The newest version of each kind the community has published, charter first."""
    newest = {}
    for doc in CommunityDocument.objects.filter(community=community).order_by("kind", "-version"):
        newest.setdefault(doc.kind, doc)
    return [newest[k] for k in DocumentKind.values if k in newest]


def community_of_resident(person: Person | None) -> OrgUnit | None:
    """The community a resident lives in (the community of their resident group)."""
    if person is None:
        return None
    unit = person.household.group if person.household_id else person.unit
    while unit is not None and unit.kind != UnitKind.COMMUNITY:
        if unit.kind in (UnitKind.STREET, UnitKind.DISTRICT, UnitKind.DEPARTMENT):
            return None
        unit = unit.parent
    return unit


@transaction.atomic
def document_publish(*, user, community_id, kind: str, title: str, text: str) -> CommunityDocument:
    """Publish a new version of the community's charter or convention to its residents."""
    community = community_of(user, community_id, write=True)
    actor = actor_of(user)
    if kind not in DocumentKind.values:
        raise DomainError("bad_kind", _("Document: choose the charter or the convention."), "kind")
    title = clean_text(title, field="title", label=pgettext("heading", "Title"), limit=TITLE_MAX, required=True)
    text = clean_text(text, field="text", label=_("Text"), limit=TEXT_MAX, required=True)
    last = CommunityDocument.objects.filter(community=community, kind=kind).aggregate(n=Max("version"))["n"] or 0
    try:
        with transaction.atomic():
            return CommunityDocument.objects.create(
                community=community,
                kind=kind,
                version=last + 1,
                title=title,
                text=text,
                published_by=actor,
                published_at=timezone.now(),
            )
    except IntegrityError:
        raise DomainError(
            "published_meanwhile",
            _("Someone else published a new version just now. Reload the page and check it first."),
            "form",
        ) from None
