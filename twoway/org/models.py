"""The five-level tree (R-1): units, grids, households, people and their roles."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Each unit's path is its ancestors' ids and its own, zero-padded: "00000001.00000004.".
PATH_STEP = 9
PATH_DIGITS = PATH_STEP - 1


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("District")
    DEPARTMENT = "department", _("District department")
    STREET = "street", _("Street")
    COMMUNITY = "community", _("Community")
    GROUP = "group", _("Resident group")


# Which kind of unit may sit under which: the five levels of §3.1, plus district departments.
CHILD_KINDS = {
    None: [UnitKind.DISTRICT],
    UnitKind.DISTRICT: [UnitKind.STREET, UnitKind.DEPARTMENT],
    UnitKind.STREET: [UnitKind.COMMUNITY],
    UnitKind.COMMUNITY: [UnitKind.GROUP],
    UnitKind.DEPARTMENT: [],
    UnitKind.GROUP: [],
}


class OrgUnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True)

    def within(self, path: str):
        """The unit with this path and every unit below it."""
        return self.filter(path__startswith=path)


class OrgUnit(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("office phone"), max_length=32, blank=True)
    sort = models.IntegerField(_("order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")
        ordering = ["path"]
        indexes = [models.Index(fields=["kind", "path"]), models.Index(fields=["name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:unit", args=[self.pk])

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def ancestor_paths(self) -> list[str]:
        return [self.path[: i + PATH_STEP] for i in range(0, len(self.path), PATH_STEP)]

    def ancestors(self):
        """This unit's ancestors, from the district down, without itself."""
        return OrgUnit.objects.filter(path__in=self.ancestor_paths[:-1]).order_by("depth")

    def is_within(self, other: "OrgUnit") -> bool:
        return self.path.startswith(other.path)


class Grid(models.Model):
    """A governance grid (网格), drawn by a street over communities or groups (§4.2 d)."""

    street = models.ForeignKey(
        OrgUnit,
        verbose_name=_("street"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"kind": UnitKind.STREET},
    )
    name = models.CharField(_("name"), max_length=100)
    units = models.ManyToManyField(OrgUnit, verbose_name=_("units covered"), related_name="covering_grids")
    workers = models.ManyToManyField("Person", verbose_name=_("grid workers"), related_name="grids", blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["street__path", "name"]
        constraints = [models.UniqueConstraint(fields=["street", "name"], name="grid_unique_name")]

    def __str__(self):
        return self.name


class Household(models.Model):
    """A household (户): the unit that raises common appeals (§5.2.1)."""

    group = models.ForeignKey(
        OrgUnit,
        verbose_name=_("resident group"),
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"kind": UnitKind.GROUP},
    )
    building = models.CharField(_("building"), max_length=20)
    entrance = models.CharField(_("unit (entrance)"), max_length=20)
    room = models.CharField(_("room"), max_length=20)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("moved out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["group__path", "building", "entrance", "room"]
        indexes = [models.Index(fields=["building", "entrance", "room"])]
        constraints = [
            models.UniqueConstraint(fields=["group", "building", "entrance", "room"], name="household_unique_place")
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("org:household", args=[self.pk])

    @property
    def label(self) -> str:
        return _("Building %(b)s, Unit %(e)s, Room %(r)s") % {
            "b": self.building,
            "e": self.entrance,
            "r": self.room,
        }


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Person(models.Model):
    """A resident or a worker. Residents belong to a household; staff may not."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    # The lowest unit the person belongs to: their resident group, or the unit they work in.
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="people")
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    relation = models.CharField(_("relation to head of household"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    retired_at = models.DateTimeField(_("moved out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["unit__path", "id"]
        indexes = [
            models.Index(fields=["name"]),
            models.Index(fields=["phone"]),
            # Covers the per-unit head counts rolled up on the home and unit pages.
            models.Index(fields=["unit", "retired_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                Upper("id_number"), name="person_unique_id_number", condition=~models.Q(id_number="")
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:person", args=[self.pk])

    def clean(self):
        if self.household_id and self.household.group_id != self.unit_id:
            raise ValidationError({"household": _("The household must be in the person's resident group.")})


class RoleKind(models.TextChoices):
    LEADER = "leader", _("Leader")
    STAFF = "staff", _("Staff")
    GROUP_LEADER = "group_leader", _("Resident group leader")
    RESIDENT_REP = "resident_rep", _("Resident representative")
    PARTY_MEMBER = "party_member", _("Party member")
    GRID_WORKER = "grid_worker", _("Grid worker")
    ADVISOR = "advisor", _("Advisory group member")
    AUDITOR = "auditor", _("Auditor")
    RESIDENT = "resident", _("Resident")


# Roles that work for a unit, and so see and act on its whole subtree. The others
# (representative, party member, advisor, resident) are residents' roles: they see their own.
STAFF_ROLES = {
    RoleKind.LEADER,
    RoleKind.STAFF,
    RoleKind.GROUP_LEADER,
    RoleKind.GRID_WORKER,
    RoleKind.AUDITOR,
}
# Staff roles that may change records (an auditor only reads).
WRITE_ROLES = {RoleKind.LEADER, RoleKind.STAFF, RoleKind.GROUP_LEADER, RoleKind.GRID_WORKER}


class Role(models.Model):
    """A person's role on a unit (R-1.2). One person may hold several."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="roles")
    kind = models.CharField(_("role"), max_length=16, choices=RoleKind.choices)
    title = models.CharField(_("title"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["unit__path", "kind"]
        constraints = [models.UniqueConstraint(fields=["person", "unit", "kind"], name="role_unique_person_unit_kind")]

    def __str__(self):
        return f"{self.person} · {self.unit} · {self.get_kind_display()}"
