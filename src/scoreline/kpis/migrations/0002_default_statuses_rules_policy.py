from django.db import migrations

from scoreline.kpis.defaults import (
    DEFAULT_POLICY,
    DEFAULT_STATUS_RULES,
    DEFAULT_STATUSES,
    DEFAULTS_FROM,
)


def install(apps, schema_editor):
    Status = apps.get_model("kpis", "Status")
    StatusRule = apps.get_model("kpis", "StatusRule")
    statuses = {}
    for position, (code, (name, colour)) in enumerate(DEFAULT_STATUSES.items()):
        statuses[code], _ = Status.objects.get_or_create(
            code=code, defaults={"name": name, "colour": colour, "position": position}
        )
    if not StatusRule.objects.filter(kpi__isnull=True).exists():
        StatusRule.objects.bulk_create(
            StatusRule(
                kpi=None,
                position=position,
                basis=basis,
                comparison=comparison,
                bound=bound,
                status=statuses[status],
                valid_from=DEFAULTS_FROM,
                source="installation",
            )
            for position, (basis, comparison, bound, status) in enumerate(DEFAULT_STATUS_RULES)
        )


def install_policy(apps, schema_editor):
    # The policy has belonged to the scoring app since; its own migration installs it there.
    ScorecardPolicy = apps.get_model("kpis", "ScorecardPolicy")
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
    dependencies = [("kpis", "0001_kpi_tables")]
    operations = [
        migrations.RunPython(install, migrations.RunPython.noop),
        migrations.RunPython(install_policy, migrations.RunPython.noop),
    ]
