"""The meeting type of each level (§5.2.2–§5.2.5), with its steps and voting rule, as data."""

from django.db import migrations

TYPES = [
    ("residents_council", "居民议事会", "group", ["collect", "discuss", "decide", "implement", "publish"], False),
    ("consultation", "议事协商会议", "community", ["collect", "fix", "draft", "deliberate", "implement", "publish"], False),
    ("weekly", "周例会", "street", ["collect", "discuss", "decide", "publish"], False),
    ("joint", "一站式联席会议", "district", ["collect", "discuss", "decide", "publish"], False),
]


def seed(apps, schema_editor):
    MeetingType = apps.get_model("meetings", "MeetingType")
    for code, name, level, steps, secret in TYPES:
        MeetingType.objects.get_or_create(code=code, defaults={"name": name, "level": level, "steps": steps,
                                                                "secret": secret})


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
