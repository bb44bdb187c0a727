from django.db import migrations

from scoreline.access.capabilities import BUILTIN_ROLES


def install(apps, schema_editor):
    Role = apps.get_model("access", "Role")
    RoleCapability = apps.get_model("access", "RoleCapability")
    for code, (name, capabilities) in BUILTIN_ROLES.items():
        role, _ = Role.objects.update_or_create(code=code, defaults={"name": name, "builtin": True})
        RoleCapability.objects.bulk_create(
            [
                RoleCapability(role=role, capability=capability.value)
                for capability in sorted(capabilities)
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("access", "0001_roles_grants_tokens")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
