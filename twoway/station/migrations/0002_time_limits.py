"""The station's time limits, as data in the shared engine's table (the district edits them on
the time-limit page): the yellow card comes 1 working day before an item's own time limit
(category `station`, stage settle), and a proxy item is handed to its handling unit within 1
working day of acceptance (category `station_handoff`, stage accept). An item's own working
days are on the item, in its catalogue."""

from django.db import migrations

RULES = [("station", "settle", 5, 1), ("station_handoff", "accept", 1, 1)]


def add_rules(apps, schema_editor):
    TimeLimitRule = apps.get_model("deadlines", "TimeLimitRule")
    for code, stage, days, yellow in RULES:
        TimeLimitRule.objects.get_or_create(
            level="community", category_code=code, stage=stage, defaults={"working_days": days, "yellow_before": yellow}
        )


def remove_rules(apps, schema_editor):
    TimeLimitRule = apps.get_model("deadlines", "TimeLimitRule")
    for code, stage, _days, _yellow in RULES:
        TimeLimitRule.objects.filter(level="community", category_code=code, stage=stage).delete()


class Migration(migrations.Migration):
    dependencies = [("station", "0001_initial"), ("deadlines", "0002_default_rules")]
    operations = [migrations.RunPython(add_rules, remove_rules)]
