"""Scores keep what explains them in columns instead of a JSON document (decision 8).

The stored scores are cleared first and recomputed by ``scoreline migrate`` after the
migrations (they are results, computed again from the values and definitions); the JSON
column goes, the foreign keys lose their single-column indexes, and the composite indexes
hold only the rows that name their leading id.
"""

import django.db.models.deletion
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone


def clear_scores(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Scores are computed results: rather than copy them into the new columns (a rebuild
    of the whole table on SQLite), clear them and mark them for the recompute that
    ``scoreline migrate`` runs next (``scoreline.scoring.freshness``)."""
    if not apps.get_model("scoring", "Score").objects.exists():
        return
    schema_editor.execute("DELETE FROM kpis_score")
    rules = apps.get_model("scoring", "ScoringRules")
    rules.objects.update_or_create(pk=1, defaults={"version": 0, "computed_at": timezone.now()})


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0004_default_status_follows_the_score"),
        ("org", "0002_countries_currencies"),
        ("scoring", "0004_scoring_rules"),
        ("strategy", "0002_default_perspectives"),
    ]

    operations = [
        migrations.RunPython(clear_scores, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name="score",
            name="score_unit_period",
        ),
        migrations.RemoveIndex(
            model_name="score",
            name="score_objective_period",
        ),
        migrations.RemoveIndex(
            model_name="score",
            name="score_kpi_period",
        ),
        migrations.AddField(
            model_name="score",
            name="attainment",
            field=models.FloatField(help_text="Percent of target, direction-aware", null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="cap",
            field=models.FloatField(help_text="Empty: no cap", null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="cascade_share",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="combine",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="score",
            name="contributing",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="definitions_as_of",
            field=models.DateField(
                help_text="The day whose definitions the score was computed with", null=True
            ),
        ),
        migrations.AddField(
            model_name="score",
            name="direction",
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name="score",
            name="high",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="low",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="measured_by",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="score",
            name="method",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="score",
            name="missing",
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name="score",
            name="own_kpis",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="status_by",
            field=models.CharField(
                blank=True,
                help_text="What the status follows; empty: the score bands",
                max_length=64,
            ),
        ),
        migrations.AddField(
            model_name="score",
            name="stretch",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="target",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="threshold",
            field=models.FloatField(null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="values_expected",
            field=models.IntegerField(null=True),
        ),
        migrations.AddField(
            model_name="score",
            name="values_present",
            field=models.IntegerField(null=True),
        ),
        migrations.AlterField(
            model_name="score",
            name="kpi",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="kpis.kpi",
            ),
        ),
        migrations.AlterField(
            model_name="score",
            name="objective",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="strategy.objective",
            ),
        ),
        migrations.AlterField(
            model_name="score",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="org.person",
            ),
        ),
        migrations.AlterField(
            model_name="score",
            name="perspective",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="strategy.perspective",
            ),
        ),
        migrations.AlterField(
            model_name="score",
            name="unit",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="org.orgunit",
            ),
        ),
        migrations.AddIndex(
            model_name="score",
            index=models.Index(
                condition=models.Q(("unit__isnull", False)),
                fields=["unit", "kind", "period"],
                name="score_unit_kind_period",
            ),
        ),
        migrations.AddIndex(
            model_name="score",
            index=models.Index(
                condition=models.Q(("person__isnull", False)),
                fields=["person", "kind", "period"],
                name="score_person_kind_period",
            ),
        ),
        migrations.AddIndex(
            model_name="score",
            index=models.Index(
                condition=models.Q(("objective__isnull", False)),
                fields=["objective", "period"],
                name="score_objective_period",
            ),
        ),
        migrations.AddIndex(
            model_name="score",
            index=models.Index(
                condition=models.Q(("kpi__isnull", False)),
                fields=["kpi", "unit", "person", "period"],
                name="score_kpi_period",
            ),
        ),
        migrations.AddIndex(
            model_name="score",
            index=models.Index(
                condition=models.Q(("perspective__isnull", False)),
                fields=["perspective"],
                name="score_perspective",
            ),
        ),
        migrations.RemoveField(
            model_name="score",
            name="explanation",
        ),
    ]
