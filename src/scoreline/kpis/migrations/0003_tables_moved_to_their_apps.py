"""Five tables move to the apps that now own them (planning, scoring, governance).

Only Django's state changes: the tables keep their names and their rows. Content types follow
the models, so permissions and admin history stay attached to them.
"""

from django.db import migrations

MOVED = {
    "changerequest": "governance",
    "perspectiveweight": "scoring",
    "score": "scoring",
    "scorecardpolicy": "scoring",
    "planningperiod": "planning",
}


def _move_content_types(apps, source_of, target_of):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model, app in MOVED.items():
        ContentType.objects.filter(app_label=source_of(app), model=model).update(
            app_label=target_of(app)
        )


def forwards(apps, schema_editor):
    _move_content_types(apps, lambda app: "kpis", lambda app: app)


def backwards(apps, schema_editor):
    _move_content_types(apps, lambda app: app, lambda app: "kpis")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("kpis", "0002_default_statuses_rules_policy"),
        ("planning", "0001_planning_period_from_kpis"),
        ("scoring", "0001_scoring_tables_from_kpis"),
        ("governance", "0001_change_requests_from_kpis"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ChangeRequest"),
                migrations.DeleteModel(name="PerspectiveWeight"),
                migrations.DeleteModel(name="Score"),
                migrations.DeleteModel(name="ScorecardPolicy"),
                migrations.DeleteModel(name="PlanningPeriod"),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
