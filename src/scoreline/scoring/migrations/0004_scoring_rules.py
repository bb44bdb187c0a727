"""The version of the scoring rules the stored scores follow.

A database that already holds scores computed them before versions were recorded: it is
marked as following rules 0, so that the next ``scoreline migrate`` recomputes them (see
``scoreline.scoring.freshness``). A database without scores records the rules with its
first stored scores.
"""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone


def mark_existing_scores(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if apps.get_model("scoring", "Score").objects.exists():
        rules = apps.get_model("scoring", "ScoringRules")
        rules.objects.create(pk=1, version=0, computed_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0003_policy_cascade_share"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScoringRules",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField()),
                ("computed_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(mark_existing_scores, migrations.RunPython.noop),
    ]
