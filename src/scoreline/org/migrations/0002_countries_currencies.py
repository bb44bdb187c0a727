from django.db import migrations

from scoreline.org.reference_data import COUNTRIES, CURRENCIES


def install(apps, schema_editor):
    Currency = apps.get_model("org", "Currency")
    Country = apps.get_model("org", "Country")
    Currency.objects.bulk_create(
        [Currency(code=code, name=name, minor_units=minor) for code, name, minor in CURRENCIES],
        ignore_conflicts=True,
    )
    Country.objects.bulk_create(
        [Country(code=code, name=name, currency_id=currency) for code, name, currency in COUNTRIES],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("org", "0001_organisation_tables")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
