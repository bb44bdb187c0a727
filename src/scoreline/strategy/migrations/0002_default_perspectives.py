from django.db import migrations

from scoreline.strategy.defaults import DEFAULT_PERSPECTIVES


def install(apps, schema_editor):
    Perspective = apps.get_model("strategy", "Perspective")
    for position, (code, (name, description)) in enumerate(DEFAULT_PERSPECTIVES.items()):
        Perspective.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("strategy", "0001_strategy_tables")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
