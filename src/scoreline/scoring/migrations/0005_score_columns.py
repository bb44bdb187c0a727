"""Scores keep what explains them in columns instead of a JSON document (decision 8).

The explanations stored so far are copied into the new columns by one UPDATE, then the
JSON column goes; the foreign keys lose their single-column indexes, and the composite
indexes hold only the rows that name their leading id.
"""

import django.db.models.deletion
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# Column: the path of its value in the explanation, and its SQL type.
COLUMNS = {
    "definitions_as_of": (("definitions_as_of",), "date"),
    "method": (("method",), "text"),
    "direction": (("direction",), "text"),
    "status_by": (("status_by",), "text"),
    "threshold": (("inputs", "threshold"), "float"),
    "target": (("inputs", "target"), "float"),
    "stretch": (("inputs", "stretch"), "float"),
    "low": (("inputs", "low"), "float"),
    "high": (("inputs", "high"), "float"),
    "attainment": (("attainment",), "float"),
    "combine": (("combine",), "text"),
    "missing": (("missing",), "text"),
    "cap": (("cap",), "float"),
    "cascade_share": (("cascade_share",), "float"),
    "measured_by": (("measured_by",), "text"),
    "values_present": (("values_present",), "int"),
    "values_expected": (("values_expected",), "int"),
    "own_kpis": (("own_kpis",), "float"),
    "contributing": (("contributing",), "float"),
}
POSTGRES_TYPES = {"date": "date", "float": "double precision", "int": "integer"}


def _read(vendor: str, path: tuple[str, ...], kind: str) -> str:
    if vendor == "postgresql":
        keys = ", ".join(path)
        found = f"(explanation #>> '{{{keys}}}')"
        return f"COALESCE({found}, '')" if kind == "text" else f"{found}::{POSTGRES_TYPES[kind]}"
    found = "json_extract(explanation, '$." + ".".join(path) + "')"
    return f"COALESCE({found}, '')" if kind == "text" else found


def explanations_to_columns(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    vendor = schema_editor.connection.vendor
    settings = ", ".join(
        f"{column} = {_read(vendor, path, kind)}" for column, (path, kind) in COLUMNS.items()
    )
    schema_editor.execute(f"UPDATE kpis_score SET {settings}")


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0004_default_status_follows_the_score"),
        ("org", "0002_countries_currencies"),
        ("scoring", "0004_scoring_rules"),
        ("strategy", "0002_default_perspectives"),
    ]

    operations = [
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
        migrations.RunPython(explanations_to_columns, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="score",
            name="explanation",
        ),
    ]
