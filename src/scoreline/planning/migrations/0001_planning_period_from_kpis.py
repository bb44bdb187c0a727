"""Planning periods move from the kpis app; their table keeps its name."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("kpis", "0002_default_statuses_rules_policy"),
    ]

    operations = [
        # The table stays where it is: only Django's idea of which app owns it moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PlanningPeriod",
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
                        ("label", models.CharField(max_length=40, unique=True)),
                        ("start", models.DateField()),
                        ("end", models.DateField(help_text="First day after the period")),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("draft", "Draft"),
                                    ("open", "Open"),
                                    ("closed", "Closed"),
                                ],
                                default="draft",
                                max_length=8,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "kpis_planningperiod",
                        "ordering": ["start"],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("end__gt", models.F("start"))),
                                name="planning_period_ordered",
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
