"""The resource directory (R-3.8): each unit's mediators, legal advisers, social organisations,
social workers, volunteers, charity resources and community partners (六社六联, 社区合伙人).

A resource is linked to an appeal with its part in settling it, so it is never deleted; it is
taken out of use (and can be brought back), which hides it from the appeal page's chooser.
Staff with a writing role on the unit change its directory; other staff in scope read it.
"""

import random

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from twoway.core.errors import DomainError
from twoway.org.models import OrgUnit, UnitKind
from twoway.org.scope import scope_for

from .models import Resource, ResourceKind

NAME_MAX = Resource._meta.get_field("name").max_length
CONTACT_MAX = Resource._meta.get_field("contact").max_length
DESCRIPTION_MAX = Resource._meta.get_field("description").max_length


# ---- reads ----------------------------------------------------------------------------------


def visible_resources(user) -> QuerySet[Resource]:
    """The resources of every unit in the user's area (nothing for a resident)."""
    scope = scope_for(user)
    if not scope.is_staff:
        return Resource.objects.none()
    return Resource.objects.filter(scope.unit_q("unit"))


def resource_get(user, pk, *, write: bool = False) -> Resource:
    """The resource with this id: 404 outside the user's area, 403 for a write they may only read."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    resource = Resource.objects.select_related("unit").filter(pk=pk).first()
    scope = scope_for(user)
    if resource is None or not scope.covers(resource.unit.path):
        raise Http404
    if write and not scope.covers(resource.unit.path, write=True):
        raise PermissionDenied
    return resource


def directory_units(user, *, write: bool, also: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """Units whose directory the user may read (or change): resident groups only for those
    who work at a resident group, so a district's list stays short; plus `also` (a unit
    already chosen), if it lies in scope."""
    scope = scope_for(user)
    units = OrgUnit.objects.filter(scope.q("path", write=write)).active()
    q = Q(pk__in=units.values("pk"))
    if units.exclude(kind=UnitKind.GROUP).exists():
        q = Q(pk__in=units.exclude(kind=UnitKind.GROUP).values("pk"))
    if also is not None and scope.covers(also.path, write=write):
        q |= Q(pk=also.pk)
    return OrgUnit.objects.filter(q).order_by("path")


def search_resources(qs: QuerySet[Resource], q: str) -> QuerySet[Resource]:
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(Q(name__icontains=q) | Q(contact__icontains=q) | Q(description__icontains=q))


# ---- writes ---------------------------------------------------------------------------------


def _text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("required", _("%(field)s: this field is required.") % {"field": label}, field)
    if len(value) > limit:
        raise DomainError("too_long", _("%(field)s: at most %(n)s characters.") % {"field": label, "n": limit}, field)
    return value


@transaction.atomic
def resource_save(
    *, user, resource: Resource | None = None, unit: OrgUnit | None, kind: str, name: str, contact="", description=""
) -> Resource:
    """Add a resource to a unit's directory, or change one (and may move it to another unit)."""
    scope = scope_for(user)
    if unit is None:
        raise DomainError("required", _("%(field)s: this field is required.") % {"field": _("Unit")}, "unit")
    if not scope.covers(unit.path, write=True):
        raise DomainError("unit_out_of_scope", _("Unit: you may only keep the directory of your own units."), "unit")
    if resource is not None and not scope.covers(resource.unit.path, write=True):
        raise DomainError("unit_out_of_scope", _("Unit: you may only keep the directory of your own units."), "unit")
    if unit.is_retired:
        raise DomainError("unit_retired", _("Unit: this unit is retired."), "unit")
    if kind not in ResourceKind.values:
        raise DomainError("bad_kind", _("Kind: choose one from the list."), "kind")
    name = _text(name, "name", _("Name"), NAME_MAX, required=True)
    contact = _text(contact, "contact", _("Contact"), CONTACT_MAX)
    description = _text(description, "description", _("What they help with"), DESCRIPTION_MAX)
    same = Resource.objects.filter(unit=unit, name=name)
    if resource is not None:
        same = same.exclude(pk=resource.pk)
    if same.exists():
        raise DomainError("name_taken", _("Name: this unit's directory already has a resource with this name."), "name")
    if resource is None:
        resource = Resource(active=True)
    resource.unit, resource.kind, resource.name = unit, kind, name
    resource.contact, resource.description = contact, description
    resource.save()
    return resource


@transaction.atomic
def resource_set_active(*, user, resource: Resource, active: bool) -> Resource:
    """Take a resource out of use, or bring it back. Links to past appeals are kept."""
    if not scope_for(user).covers(resource.unit.path, write=True):
        raise DomainError("unit_out_of_scope", _("Unit: you may only keep the directory of your own units."), "unit")
    if resource.active == active:
        msg = _("%(name)s is already in use.") if active else _("%(name)s is already out of use.")
        raise DomainError("unchanged", msg % {"name": resource.name}, "active")
    resource.active = active
    resource.save(update_fields=["active"])
    return resource


# ---- demo data ------------------------------------------------------------------------------

LAWYERS = ["张宏伟", "李静怡", "王建国", "刘晓燕", "陈志强", "杨丽华"]
SOCIAL_WORKERS = ["赵敏", "孙丽", "周杰", "吴芳", "郑凯", "冯雪", "褚红", "卫东", "蒋琳", "沈阳", "韩梅"]
CHARITY = ["滨城爱心超市", "鲁北义工联合会", "黄河爱心企业联盟", "惠民大药房", "渤海银行滨城支行"]
PARTNERS = ["康居物业服务中心", "银座便民超市", "滨州市第一实验小学", "区人民医院社区门诊", "万家家政服务公司"]


def _phone(rng: random.Random) -> str:
    return f"0543-{rng.randint(3100000, 3999999)}"


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}"


@transaction.atomic
def seed_demo_resources(*, seed: int = 2024) -> int:
    """A realistic directory for the demo district: district advisers and bodies, and for each
    community its mediation studio, social worker, volunteers, charity and partners. Once only."""
    if Resource.objects.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311  (demo data, not secrets)
    rows: list[Resource] = []

    def add(unit, kind, name, contact, description, active=True):
        rows.append(Resource(unit=unit, kind=kind, name=name, contact=contact, description=description, active=active))

    for district in OrgUnit.objects.filter(kind=UnitKind.DISTRICT).active():
        for i, lawyer in enumerate(LAWYERS[:3]):
            add(
                district,
                ResourceKind.LEGAL,
                f"区智库顾问团 · {lawyer}律师",
                _mobile(rng),
                ["物业与合同纠纷、法律咨询", "婚姻家庭与继承纠纷", "劳动争议与工伤认定"][i],
            )
        add(district, ResourceKind.SOCIAL_ORG, "区社会组织孵化中心", _phone(rng), "培育社区社会组织，承接公益创投项目")
        add(district, ResourceKind.CHARITY, f"{district.name}慈善总会", _phone(rng), "困难群众临时救助、助学助医")
        add(district, ResourceKind.MEDIATOR, "区人民调解委员会", _phone(rng), "重大疑难矛盾纠纷联合调解")
        add(district, ResourceKind.LEGAL, "区智库顾问团 · 退休法官工作室", _phone(rng), "暂停接待，待重新组建", False)
    for street in OrgUnit.objects.filter(kind=UnitKind.STREET).active():
        add(street, ResourceKind.SOCIAL_WORKER, f"{street.name}社工站", _phone(rng), "驻站社工，个案帮扶与小组服务")
        add(street, ResourceKind.MEDIATOR, f"{street.name}人民调解委员会", _phone(rng), "跨社区纠纷调解")
    for n, community in enumerate(OrgUnit.objects.filter(kind=UnitKind.COMMUNITY).active().order_by("path")):
        base = community.name
        add(
            community,
            ResourceKind.MEDIATOR,
            f"{base}民情调解工作室",
            f"{_phone(rng)}（工作日 8:30–17:30）",
            "邻里纠纷、家庭矛盾、物业纠纷调解",
        )
        worker = SOCIAL_WORKERS[n % len(SOCIAL_WORKERS)]
        add(community, ResourceKind.SOCIAL_WORKER, f"社工 {worker}", _mobile(rng), "独居老人探访、困境儿童关爱")
        add(community, ResourceKind.VOLUNTEER, f"{base}志愿服务队", _mobile(rng), "环境整治、助老助残、文明劝导")
        add(community, ResourceKind.CHARITY, CHARITY[n % len(CHARITY)], _phone(rng), "爱心企业：捐赠物资、资助困难家庭")
        add(
            community,
            ResourceKind.PARTNER,
            PARTNERS[n % len(PARTNERS)],
            _phone(rng),
            "社区合伙人：场地、服务与志愿支持",
        )
        if n % 3 == 0:
            add(community, ResourceKind.SOCIAL_ORG, f"{base}老年协会", _mobile(rng), "老年文体活动与互助")
    Resource.objects.bulk_create(rows)
    return len(rows)


__all__ = [
    "visible_resources",
    "resource_get",
    "directory_units",
    "search_resources",
    "resource_save",
    "resource_set_active",
    "seed_demo_resources",
]
