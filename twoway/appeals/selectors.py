"""Reads for the appeal pages: queues, the overdue list, similar appeals, the timeline."""

from django.db.models import Q, QuerySet
from django.db.models.query import ModelIterable
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator, normalize_choices

from twoway.core.cache import cached, invalidate_on_change
from twoway.core.parse import as_int
from twoway.org.models import OrgUnit
from twoway.org.scope import scope_for

from .access import visible_appeals
from .models import OPEN_STATUSES, Appeal, AppealEvent, Category, Status

TABS = {
    "todo": (Status.PENDING,),
    "doing": (Status.ACCEPTED,),
    "resolved": (Status.RESOLVED,),
    "done": (Status.CLOSED, Status.RETURNED, Status.MERGED),
}


class QueueQuerySet(QuerySet):
    """Appeals that page in two steps: a slice past the first page first takes the page's ids,
    which the database sorts and skips over in an index alone (models.Appeal.Meta.indexes), then
    fetches only those rows with their joins. A later page of a million appeals then costs about
    what the first does, where skipping over whole rows would read every skipped row."""

    def __getitem__(self, k):
        if not isinstance(k, slice) or not k.start or self._iterable_class is not ModelIterable or self.query.is_sliced:
            return super().__getitem__(k)
        ids = list(self.values_list("pk", flat=True)[k])
        # The same query narrowed to those ids: the same order, joins and filters.
        return self.filter(pk__in=ids)


def appeal_list(
    user,
    *,
    tab: str = "todo",
    q: str = "",
    category: str = "",
    card: str = "",
    unit: OrgUnit | None = None,
    mine_only: bool = True,
) -> QuerySet[Appeal]:
    """A staff queue. By default what the person's units handle now; `mine_only=False` adds
    what came from their area and is handled higher up."""
    scope = scope_for(user)
    if mine_only and not scope.covers_everything():
        # Whatever a unit in the person's area handles is visible to them, so the handling unit
        # alone is the whole filter (visible_appeals' OR would make the database scan). The ids
        # are listed, not a subquery, so the database checks them on the index entries and
        # estimates each unit from its statistics.
        units = list(OrgUnit.objects.filter(scope.q("path")).order_by().values_list("pk", flat=True))
        qs = QueueQuerySet(Appeal).filter(handling_unit_id__in=units)
    else:
        qs = visible_appeals(user)
        qs = QueueQuerySet(Appeal, query=qs.query.chain())
    if unit is not None:
        qs = qs.filter(handling_unit__path__startswith=unit.path)
    if tab in TABS:
        qs = qs.filter(status__in=TABS[tab])
    now = timezone.now()
    if card == "red":
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lte=now)
    elif card == "yellow":
        qs = qs.filter(status__in=OPEN_STATUSES, yellow_at__lte=now, due_at__gt=now)
    if category:
        qs = qs.filter(Q(category__code=category) | Q(category__parent__code=category))
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(number__iexact=q) | Q(description__icontains=q) | Q(place__icontains=q))
    return qs.select_related("category", "handling_unit", "origin_unit").order_by("-created_at", "-id")


def resident_appeals(person) -> QuerySet[Appeal]:
    from .access import concerned_q

    return (
        Appeal.objects.filter(concerned_q(person)).select_related("category", "handling_unit").order_by("-created_at")
    )


def overdue_below(user) -> QuerySet[Appeal]:
    """Open appeals past their deadline at units strictly below the person's own units."""
    scope = scope_for(user)
    own = [p for p in scope.read_paths]
    below = OrgUnit.objects.filter(scope.q("path")).exclude(path__in=own).values("pk")
    return (
        Appeal.objects.filter(status__in=OPEN_STATUSES, due_at__lte=timezone.now(), handling_unit__in=below)
        .select_related("category", "handling_unit")
        .order_by("due_at")
    )


def timeline(appeal: Appeal, *, staff: bool) -> list[AppealEvent]:
    events = appeal.events.select_related("actor", "unit", "to_unit").order_by("seq")
    if not staff:
        events = events.filter(internal=False)
    return list(events)


class _Normalised(BaseChoiceIterator):
    """Choices already in the form Django normalises them to: a form field takes them as they
    are, instead of walking the whole catalogue again on every intake form."""

    def __init__(self, choices):
        self.choices = normalize_choices(choices)

    def __iter__(self):
        return iter(self.choices)


def _load_categories() -> tuple[_Normalised, dict[int, Category]]:
    groups, leaves = [("", "——")], {}
    for top in Category.objects.filter(parent=None, active=True).prefetch_related("children"):
        children = [c for c in top.children.all() if c.active]
        for child in children:
            child.parent = top
            leaves[child.pk] = child
        if children:
            groups.append((top.name, [(c.pk, c.name) for c in children]))
    return _Normalised(groups), leaves


# The catalogue is read by every intake form and submission; each process keeps a copy.
invalidate_on_change("appeals:categories", Category)


def category_choices() -> BaseChoiceIterator:
    """Active categories grouped under their top level, for a select with optgroups, after an
    empty first choice."""
    return cached("appeals:categories", _load_categories)[0]


def active_category(category_id) -> Category | None:
    """An active second-level category by id (shared: read it, do not change it), or None."""
    category_id = as_int(category_id)
    if category_id is None:
        return None
    category = cached("appeals:categories", _load_categories)[1].get(category_id)
    if category is None:  # added in another process since this one's copy was made
        category = (
            Category.objects.filter(pk=category_id, active=True, parent__isnull=False, parent__active=True)
            .select_related("parent")
            .first()
        )
    return category


def work_counts(user) -> dict[str, int]:
    """For a staff home page: appeals waiting at the person's units, being handled, overdue."""
    from django.db.models import Count

    scope = scope_for(user)
    if not scope.is_staff:
        return {}
    qs = Appeal.objects.filter(status__in=OPEN_STATUSES)
    if not scope.covers_everything():
        qs = qs.filter(handling_unit__in=OrgUnit.objects.filter(scope.q("path")).values("pk"))
    now = timezone.now()
    return qs.aggregate(
        todo=Count("pk", filter=Q(status=Status.PENDING)),
        doing=Count("pk", filter=Q(status=Status.ACCEPTED)),
        red=Count("pk", filter=Q(due_at__lte=now)),
        yellow=Count("pk", filter=Q(yellow_at__lte=now, due_at__gt=now)),
    )
