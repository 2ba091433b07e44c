from twoway.appeals import flow
from twoway.appeals.models import Category


def a_category(code="ENV01"):
    return Category.objects.get(code=code)


def raise_appeal(tree, who="resident", **kwargs):
    defaults = {"category_id": a_category().pk, "description": "3号楼楼道堆放杂物，影响通行，请尽快清理。"}
    defaults.update(kwargs)
    return flow.appeal_submit(user=tree[who].user, **defaults)
