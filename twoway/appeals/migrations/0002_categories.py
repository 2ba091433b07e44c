"""The seed catalogue of appeal categories (two levels), kept as data the district can edit."""

from django.db import migrations

CATALOGUE = [
    ("ENV", "环境卫生", ["垃圾清运", "楼道杂物", "绿化养护", "污水与异味", "噪声扰民"]),
    ("FAC", "市政设施", ["道路破损", "路灯照明", "排水管网", "供水供暖", "燃气设施"]),
    ("PRO", "物业管理", ["电梯故障", "屋面漏水", "停车管理", "物业服务", "维修资金"]),
    ("SAF", "治安与安全", ["消防通道", "电动车充电", "高空抛物", "安全隐患"]),
    ("DIS", "矛盾纠纷", ["邻里纠纷", "家庭纠纷", "物业纠纷", "劳资纠纷"]),
    ("SVC", "社区服务", ["养老服务", "助残服务", "托幼服务", "文体活动", "便民服务"]),
    ("WEL", "民生保障", ["社会救助", "医疗保险", "养老保险", "就业创业", "退役军人事务"]),
    ("SUG", "意见建议", ["社区建设建议", "其他"]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    for i, (code, name, children) in enumerate(CATALOGUE, start=1):
        parent, _ = Category.objects.get_or_create(code=code, defaults={"name": name, "sort": i})
        for j, child in enumerate(children, start=1):
            Category.objects.get_or_create(code=f"{code}{j:02d}", defaults={"name": child, "sort": j, "parent": parent})


def unseed(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    Category.objects.exclude(parent=None).delete()
    Category.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
