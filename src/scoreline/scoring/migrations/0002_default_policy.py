"""The organisation's default scorecard policy (installed by the kpis app before it moved)."""

from django.db import migrations

from scoreline.kpis.defaults import DEFAULT_POLICY, DEFAULTS_FROM


def install(apps, schema_editor):
    ScorecardPolicy = apps.get_model("scoring", "ScorecardPolicy")
    combine, missing, cap = DEFAULT_POLICY
    if not ScorecardPolicy.objects.filter(unit__isnull=True).exists():
        ScorecardPolicy.objects.create(
            unit=None,
            combine=combine,
            missing=missing,
            cap_at_100=cap,
            valid_from=DEFAULTS_FROM,
            source="installation",
        )


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_scoring_tables_from_kpis")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
