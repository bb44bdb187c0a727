"""Change requests move from the kpis app; their table keeps its name."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("kpis", "0002_default_statuses_rules_policy"),
        ("org", "0002_countries_currencies"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The table stays where it is: only Django's idea of which app owns it moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ChangeRequest",
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
                                    ("kpi", "KPI definition"),
                                    ("target", "Target"),
                                    ("measure_weight", "KPI weight in an objective"),
                                    ("objective_weight", "Objective weight"),
                                    ("perspective_weight", "Perspective weight"),
                                    ("status_rules", "Status rules"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "subject",
                            models.CharField(
                                help_text="What is changed, e.g. a KPI code", max_length=200
                            ),
                        ),
                        ("payload", models.JSONField(help_text="The proposed fields")),
                        ("effective_from", models.DateField()),
                        ("justification", models.TextField()),
                        ("requested_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("approved", "Approved and applied"),
                                    ("rejected", "Rejected"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("decision_note", models.TextField(blank=True)),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "requested_by",
                            models.ForeignKey(
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
                                help_text="The unit whose approvers may decide (none: approvers over every unit)",
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="org.orgunit",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "kpis_changerequest",
                        "ordering": ["-requested_at", "-id"],
                        "indexes": [
                            models.Index(
                                fields=["state", "requested_at"], name="change_request_inbox"
                            )
                        ],
                    },
                ),
            ],
        ),
    ]
