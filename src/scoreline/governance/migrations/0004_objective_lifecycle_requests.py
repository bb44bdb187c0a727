from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_objective_requests"),
    ]

    operations = [
        migrations.AlterField(
            model_name="changerequest",
            name="kind",
            field=models.CharField(
                choices=[
                    ("kpi", "KPI definition"),
                    ("target", "Target"),
                    ("measure_weight", "KPI weight in an objective"),
                    ("new_objective", "New objective"),
                    ("objective", "Objective (revision, move or retirement)"),
                    ("objective_weight", "Objective weight"),
                    ("perspective_weight", "Perspective weight"),
                    ("status_rules", "Status rules"),
                    ("scorecard_policy", "Scorecard policy"),
                ],
                max_length=20,
            ),
        ),
    ]
