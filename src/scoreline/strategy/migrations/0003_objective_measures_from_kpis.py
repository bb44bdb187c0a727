"""Objective measures move from the kpis app; their table keeps its name."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0002_default_statuses_rules_policy"),
        ("strategy", "0002_default_perspectives"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The table stays where it is: only Django's idea of which app owns it moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ObjectiveMeasure",
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
                        ("weight", models.FloatField(default=1.0)),
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
                            "kpi",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="measures",
                                to="kpis.kpi",
                            ),
                        ),
                        (
                            "objective",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="measures",
                                to="strategy.objective",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "kpis_objectivemeasure",
                        "ordering": ["objective_id", "kpi_id", "valid_from"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("objective", "kpi", "valid_from"),
                                name="measure_one_per_day",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("weight__gte", 0)),
                                name="measure_weight_not_negative",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("valid_until__isnull", True),
                                    ("valid_until__gt", models.F("valid_from")),
                                    _connector="OR",
                                ),
                                name="measure_dates_ordered",
                            ),
                        ],
                    },
                ),
            ],
        ),
    ]
