"""Default time limits, after Shandong's hotline practice: accept within 1 working day,
settle within 5; the yellow card 1 working day before. The district edits them as data."""

from django.db import migrations

LEVELS = ["group", "community", "street", "district", "department"]
DEFAULTS = {"accept": (1, 1), "settle": (5, 1), "task": (10, 1)}


def add_defaults(apps, schema_editor):
    TimeLimitRule = apps.get_model("deadlines", "TimeLimitRule")
    for level in LEVELS:
        for stage, (days, yellow) in DEFAULTS.items():
            TimeLimitRule.objects.get_or_create(
                level=level, category_code="", stage=stage, defaults={"working_days": days, "yellow_before": yellow}
            )


def remove_defaults(apps, schema_editor):
    apps.get_model("deadlines", "TimeLimitRule").objects.filter(category_code="").delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
