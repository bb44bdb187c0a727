"""Scorecard policies, perspective weights and scores move from the kpis app; their tables keep
their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("kpis", "0002_default_statuses_rules_policy"),
        ("org", "0002_countries_currencies"),
        ("strategy", "0002_default_perspectives"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The table stays where it is: only Django's idea of which app owns it moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PerspectiveWeight",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("valid_from", models.DateField()),
                        (
                            "valid_until",
                            models.DateField(
                                blank=True, help_text="First day no longer valid", null=True
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        (
                            "source",
                            models.CharField(
                                blank=True,
                                help_text="Where the change came from: page, API, YAML, workshop",
                                max_length=80,
                            ),
                        ),
                        ("recorded_at", models.DateTimeField(auto_now_add=True)),
                        ("weight", models.FloatField()),
                        (
                            "author",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "perspective",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="strategy.perspective",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.orgunit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "kpis_perspectiveweight",
                        "ordering": ["unit_id", "perspective_id", "valid_from"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("perspective", "unit", "valid_from"),
                                name="perspective_weight_one_per_day",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("weight__gte", 0)),
                                name="perspective_weight_not_negative",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("valid_until__isnull", True),
                                    ("valid_until__gt", models.F("valid_from")),
                                    _connector="OR",
                                ),
                                name="perspective_weight_dates_ordered",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Score",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("kpi", "KPI"),
                                    ("objective", "Objective"),
                                    ("perspective", "Perspective"),
                                    ("unit", "Unit scorecard"),
                                    ("person", "Individual scorecard"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("period", models.DateField()),
                        (
                            "value",
                            models.FloatField(
                                help_text="The KPI value scored (KPI nodes)", null=True
                            ),
                        ),
                        (
                            "score",
                            models.FloatField(
                                help_text="0-100; empty when the data is missing", null=True
                            ),
                        ),
                        ("status", models.CharField(blank=True, max_length=20)),
                        ("explanation", models.JSONField(default=dict)),
                        ("computed_at", models.DateTimeField()),
                        (
                            "kpi",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="kpis.kpi",
                            ),
                        ),
                        (
                            "objective",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="strategy.objective",
                            ),
                        ),
                        (
                            "person",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.person",
                            ),
                        ),
                        (
                            "perspective",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="strategy.perspective",
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.orgunit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "kpis_score",
                        "ordering": ["kind", "period", "id"],
                        "indexes": [
                            models.Index(
                                fields=["kind", "unit", "period"], name="score_unit_period"
                            ),
                            models.Index(
                                fields=["objective", "period"], name="score_objective_period"
                            ),
                            models.Index(
                                fields=["kpi", "unit", "person", "period"], name="score_kpi_period"
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ScorecardPolicy",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("valid_from", models.DateField()),
                        (
                            "valid_until",
                            models.DateField(
                                blank=True, help_text="First day no longer valid", null=True
                            ),
                        ),
                        ("reason", models.TextField(blank=True)),
                        (
                            "source",
                            models.CharField(
                                blank=True,
                                help_text="Where the change came from: page, API, YAML, workshop",
                                max_length=80,
                            ),
                        ),
                        ("recorded_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "combine",
                            models.CharField(
                                choices=[
                                    ("weighted_mean", "Weighted mean"),
                                    ("sum", "Sum"),
                                    ("minimum", "Minimum (weakest link)"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "missing",
                            models.CharField(
                                choices=[
                                    ("skip", "Skip and re-normalise the weights"),
                                    ("zero", "Count as zero"),
                                    ("blank", "Blank the parent"),
                                ],
                                max_length=8,
                            ),
                        ),
                        ("cap_at_100", models.BooleanField(default=True)),
                        (
                            "author",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "unit",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="org.orgunit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "kpis_scorecardpolicy",
                        "ordering": ["unit_id", "valid_from"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("unit", "valid_from"), name="scorecard_policy_one_per_day"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("valid_until__isnull", True),
                                    ("valid_until__gt", models.F("valid_from")),
                                    _connector="OR",
                                ),
                                name="scorecard_policy_dates_ordered",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
