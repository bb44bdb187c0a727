from django.db import migrations, models

from scoreline.access.capabilities import BUILTIN_ROLES


def install(apps, schema_editor):
    Role = apps.get_model("access", "Role")
    RoleCapability = apps.get_model("access", "RoleCapability")
    for code in ("administrator", "executive", "manager"):
        role = Role.objects.filter(code=code).first()
        if role is not None and "edit_strategy" in BUILTIN_ROLES[code][1]:
            RoleCapability.objects.get_or_create(role=role, capability="edit_strategy")


class Migration(migrations.Migration):
    dependencies = [("access", "0002_builtin_roles")]
    operations = [
        migrations.AlterField(
            model_name="rolecapability",
            name="capability",
            field=models.CharField(
                choices=[
                    ("view_org", "See the organisation structure"),
                    ("view_people", "See people's records"),
                    ("view_pay", "See pay"),
                    ("view_ratings", "See performance ratings"),
                    ("view_potential", "See potential assessments"),
                    ("view_protected", "See protected attributes (gender, date of birth)"),
                    ("manage_org", "Change units, people and reporting lines"),
                    ("manage_access", "Grant and revoke roles"),
                    ("edit_strategy", "Edit objectives, the strategy map and workshops"),
                    ("edit_kpi", "Edit KPI definitions and targets"),
                    ("enter_values", "Enter and correct KPI values"),
                    ("approve_change", "Approve change requests"),
                    ("manage_cycle", "Run review and pay cycles"),
                    ("manage_pay", "Change pay and merit budgets"),
                    ("view_audit", "Read the audit trail"),
                    ("administer", "Administer the system"),
                ],
                max_length=32,
            ),
        ),
        migrations.RunPython(install, migrations.RunPython.noop),
    ]
