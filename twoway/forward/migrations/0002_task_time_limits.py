"""Time limits of the forward chain, as data in the shared engine's table: a task of a key
project gets 15 working days by default (yellow card 3 before); other tasks use the level's
default task rule. The district edits them on the time-limit page."""

from django.db import migrations

LEVELS = ["group", "community", "street", "district", "department"]
KEY_PROJECT = ("key_project", 15, 3)


def add_rules(apps, schema_editor):
    TimeLimitRule = apps.get_model("deadlines", "TimeLimitRule")
    code, days, yellow = KEY_PROJECT
    for level in LEVELS:
        TimeLimitRule.objects.get_or_create(
            level=level, category_code=code, stage="task", defaults={"working_days": days, "yellow_before": yellow}
        )


def remove_rules(apps, schema_editor):
    apps.get_model("deadlines", "TimeLimitRule").objects.filter(category_code=KEY_PROJECT[0], stage="task").delete()


class Migration(migrations.Migration):
    dependencies = [("forward", "0001_initial"), ("deadlines", "0002_default_rules")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
