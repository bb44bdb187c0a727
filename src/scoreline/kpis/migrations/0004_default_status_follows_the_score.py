"""The default status rules follow the score (the score bands) instead of % of target.

Only an installation still holding the rules it was installed with is changed, in place:
a default rule set somebody has since edited is theirs and stays. Stored statuses follow
at the next ``scoreline scores recompute``.
"""

from django.db import migrations

from scoreline.kpis.defaults import DEFAULT_STATUS_RULES, PERCENT_OF_TARGET_RULES


def _shape(rules):
    return [(r.basis, r.comparison, r.bound, r.status.code) for r in rules]


def follow_the_score(apps, schema_editor):
    StatusRule = apps.get_model("kpis", "StatusRule")
    Status = apps.get_model("kpis", "Status")
    installed = list(
        StatusRule.objects.filter(kpi__isnull=True).select_related("status").order_by("position")
    )
    untouched = all(r.source == "installation" and r.valid_until is None for r in installed)
    if not untouched or _shape(installed) != PERCENT_OF_TARGET_RULES:
        return
    statuses = {status.code: status for status in Status.objects.all()}
    for rule, (basis, comparison, bound, code) in zip(installed, DEFAULT_STATUS_RULES, strict=True):
        rule.basis, rule.comparison, rule.bound, rule.status = (
            basis,
            comparison,
            bound,
            statuses[code],
        )
        rule.save(update_fields=["basis", "comparison", "bound", "status"])


class Migration(migrations.Migration):
    dependencies = [("kpis", "0003_tables_moved_to_their_apps")]
    operations = [migrations.RunPython(follow_the_score, migrations.RunPython.noop)]
