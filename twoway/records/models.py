"""Community records (R-5, R-6, R-8): star residents, party members' badges and stars, service
buildings and their handover, community workers, and the three lists."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from twoway.org.models import Household, OrgUnit, Person

# The evidence behind a nomination or a party member's stars (records.stars, records.party).
EVIDENCE_MAX = 2000

# ---- star residents (社区星居民, §5.1.3.3) ---------------------------------------------------


class StarCategory(models.TextChoices):
    """The ten categories of §5.1.3.3 b)."""

    PATRIOTIC = "patriotic", _("Loving the Party and the country (爱党爱国)")
    LAW = "law", _("Abiding by the law (遵纪守法)")
    DEDICATION = "dedication", _("Dedication to work (敬业奉献)")
    HONESTY = "honesty", _("Honesty (诚实守信)")
    BRAVERY = "bravery", _("Courage for a just cause (见义勇为)")
    ELDERS = "elders", _("Care for the elderly (孝敬老人)")
    CHILDREN = "children", _("Bringing up children (教育子女)")
    NEIGHBOURS = "neighbours", _("Helping neighbours (睦邻互助)")
    VOLUNTEERING = "volunteering", _("Volunteering (志愿服务)")
    ENVIRONMENT = "environment", _("Caring for the environment (环境维护)")


class NominationKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive star (综合新星)")
    SINGLE = "single", _("Single-item star (单项新星)")


class ConductRecord(models.Model):
    """A record of a resident's daily conduct, which may later serve as a nomination's evidence."""

    person = models.ForeignKey(Person, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=16, choices=StarCategory.choices)
    happened_on = models.DateField(_("date"))
    note = models.CharField(_("what happened"), max_length=500)
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["community", "-happened_on"])]


class RoundStatus(models.TextChoices):
    NOMINATING = "nominating", _("Taking nominations")
    VOTING = "voting", _("Voting")
    PUBLISHED = "published", _("Published")


class StarRound(models.Model):
    """One community's quarterly selection of star residents."""

    community = models.ForeignKey(OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"))
    status = models.CharField(_("status"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.NOMINATING)
    # The vote of the resident representatives, held as a meeting of the meetings app.
    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-quarter", "community__path"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "quarter"], name="star_round_one_per_quarter"),
            models.CheckConstraint(condition=models.Q(quarter__gte=1, quarter__lte=4), name="star_round_quarter"),
        ]

    def __str__(self):
        return f"{self.community.name} {self.label}"

    @property
    def label(self) -> str:
        return _("%(year)s Q%(quarter)s") % {"year": self.year, "quarter": self.quarter}


class Nomination(models.Model):
    round = models.ForeignKey(StarRound, on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey(Person, verbose_name=_("resident"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("list"), max_length=16, choices=NominationKind.choices)
    category = models.CharField(_("category"), max_length=16, choices=StarCategory.choices, blank=True)
    evidence = models.TextField(_("evidence"), max_length=EVIDENCE_MAX)
    conduct = models.ManyToManyField(ConductRecord, verbose_name=_("conduct records"), blank=True, related_name="+")
    nominated_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    motion = models.OneToOneField(
        "meetings.Motion", null=True, blank=True, on_delete=models.PROTECT, related_name="star_nomination"
    )
    elected = models.BooleanField(_("elected"), null=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "category", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "person", "kind", "category"], name="nomination_unique"),
        ]


# ---- party members (党员亮牌、星级管理, §5.1.3.1) ----------------------------------------------


class PartyArea(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation (组织)")
    DISCIPLINE = "discipline", _("Law and discipline (法纪)")
    SOCIETY = "society", _("Society (社会)")
    CAREER = "career", _("Career (事业)")
    FAMILY = "family", _("Family (家庭)")


class PartyBadge(models.Model):
    """The identity badge hung at a party member's door: one per household."""

    household = models.OneToOneField(Household, on_delete=models.PROTECT, related_name="party_badge")
    member = models.ForeignKey(Person, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("badge number"), max_length=32, unique=True)
    issued_on = models.DateField(_("issued on"))


class PartyRecord(models.Model):
    """A dated entry in a party member's archive, in one of the five areas."""

    member = models.ForeignKey(Person, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+")
    area = models.CharField(_("area"), max_length=16, choices=PartyArea.choices)
    happened_on = models.DateField(_("date"))
    note = models.CharField(_("record"), max_length=500)
    negative = models.BooleanField(_("a shortcoming"), default=False)
    recorded_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-happened_on", "-id"]
        indexes = [models.Index(fields=["member", "happened_on"])]


class PartyRating(models.Model):
    """A member's star rating for one year, with the records it rests on."""

    member = models.ForeignKey(Person, verbose_name=_("party member"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    evidence = models.TextField(_("evidence"), max_length=EVIDENCE_MAX)
    record_ids = models.JSONField(default=list)
    rated_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="party_rating_one_per_year")]


# ---- service buildings (社区工作服务用房, Annex A, C) -----------------------------------------


class ServiceSpace(models.Model):
    """A street's or community's party-mass service centre: its floor area and who it serves."""

    unit = models.OneToOneField(OrgUnit, on_delete=models.PROTECT, related_name="service_space")
    centre_area = models.DecimalField(_("centre floor area (m²)"), max_digits=9, decimal_places=2)
    households = models.PositiveIntegerField(_("households served"))
    newly_built = models.BooleanField(_("newly built community"), default=False)
    regional_area = models.DecimalField(
        _("regional party-mass centre floor area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)


class HandoverStage(models.TextChoices):
    LAND = "land", _("Land transfer (土地出让)")
    CONSTRUCTION = "construction", _("Synchronous design and construction (同步设计建设)")
    FILING = "filing", _("Completion filing (竣工备案)")
    HANDOVER = "handover", _("Handover and registration (移交确权)")
    SUPERVISION = "supervision", _("Supervision of use (使用监管)")


STAGE_ORDER = [s.value for s in HandoverStage]


class Development(models.Model):
    """A residential development whose community service rooms must be built and handed over."""

    street = models.ForeignKey(OrgUnit, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        OrgUnit, verbose_name=_("community"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("development"), max_length=200)
    developer = models.CharField(_("developer"), max_length=200)
    households = models.PositiveIntegerField(_("planned households"))
    planned_area = models.DecimalField(_("planned service room area (m²)"), max_digits=9, decimal_places=2)
    stage = models.CharField(_("stage"), max_length=16, choices=HandoverStage.choices, default=HandoverStage.LAND)
    agreement_number = models.CharField(_("handover agreement number"), max_length=64, blank=True)
    agreement_signed_on = models.DateField(_("handover agreement signed on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["street__path", "name"]

    def __str__(self):
        return self.name


class HandoverEvent(models.Model):
    """An append-only step of a development's handover."""

    development = models.ForeignKey(Development, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16)  # a stage, or "agreement" / "check"
    note = models.CharField(_("note"), max_length=500, blank=True)
    actor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]


class SafetyCheck(models.Model):
    development = models.ForeignKey(Development, on_delete=models.CASCADE, related_name="checks")
    due_on = models.DateField(_("check due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    hazard = models.BooleanField(_("hazard found"), default=False)
    note = models.CharField(_("findings"), max_length=500, blank=True)

    class Meta:
        ordering = ["due_on"]


# ---- community workers (社区工作者, Annex D, E) -----------------------------------------------


class Route(models.TextChoices):
    ELECTION = "election", _("Election (选任)")
    RECRUITMENT = "recruitment", _("Open recruitment (招录)")


class ExitReason(models.TextChoices):
    RESIGNATION = "resignation", _("Resignation")
    RETIREMENT = "retirement", _("Retirement")
    TERM_END = "term_end", _("End of term, not re-elected")
    ASSESSMENT = "assessment", _("Assessed as incompetent")
    DISMISSAL = "dismissal", _("Dismissal for misconduct")
    OTHER = "other", pgettext_lazy("exit reason", "Other")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    BASIC = "basic", _("Basically competent (基本称职)")
    INCOMPETENT = "incompetent", _("Incompetent (不称职)")


class CommunityWorker(models.Model):
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    post = models.CharField(_("post"), max_length=100)
    route = models.CharField(_("route in"), max_length=16, choices=Route.choices)
    pay_grade = models.PositiveSmallIntegerField(_("pay grade"))
    joined_on = models.DateField(_("joined on"))
    exited_on = models.DateField(_("left on"), null=True, blank=True)
    exit_reason = models.CharField(_("reason for leaving"), max_length=16, choices=ExitReason.choices, blank=True)
    exit_note = models.CharField(_("note on leaving"), max_length=500, blank=True)

    class Meta:
        ordering = ["unit__path", "joined_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(exited_on__isnull=True), name="worker_one_active_post"
            )
        ]

    def __str__(self):
        return self.person.name


class Assessment(models.Model):
    worker = models.ForeignKey(CommunityWorker, on_delete=models.CASCADE, related_name="assessments")
    year = models.PositiveSmallIntegerField(_("year"))
    grade = models.CharField(_("grade"), max_length=16, choices=Grade.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["worker", "year"], name="assessment_one_per_year")]


class Commendation(models.Model):
    worker = models.ForeignKey(CommunityWorker, on_delete=models.CASCADE, related_name="commendations")
    awarded_on = models.DateField(_("awarded on"))
    title = models.CharField(_("commendation"), max_length=200)
    awarded_by = models.CharField(_("awarded by"), max_length=100)

    class Meta:
        ordering = ["-awarded_on"]


# ---- the three lists (三张清单, Annex F) ------------------------------------------------------


class ListKind(models.TextChoices):
    WORK = "work", _("Work items (社区工作事项清单)")
    CERTIFICATE = "certificate", _("Certificates the community may issue (出具证明事项清单)")
    ASSESSMENT = "assessment", _("Assessments it takes part in (参与评比考核事项清单)")


class ListItem(models.Model):
    """An entry on one of the three lists. A district-wide entry has the district as its unit."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("list"), max_length=16, choices=ListKind.choices)
    name = models.CharField(_("item"), max_length=200)
    basis = models.CharField(_("basis"), max_length=300)
    active = models.BooleanField(_("in force"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "name"], name="list_item_unique")]

    def __str__(self):
        return self.name


class CertificateRequest(models.Model):
    """A request to the community for a certificate, issued or refused by the list."""

    community = models.ForeignKey(OrgUnit, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("certificate"), max_length=200)
    item = models.ForeignKey(ListItem, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    applicant = models.CharField(_("applicant"), max_length=50)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    issued = models.BooleanField(_("issued"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    handled_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
