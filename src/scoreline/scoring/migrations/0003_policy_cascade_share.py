"""The share of contributing objectives in a parent objective's score, per scorecard policy.

Existing policies, the organisation's default among them, take the default share (0.3, see
decision 7); stored scores follow it after the next recompute.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_default_policy")]

    operations = [
        migrations.AddField(
            model_name="scorecardpolicy",
            name="cascade_share",
            field=models.FloatField(
                default=0.3,
                help_text=(
                    "Share of the contributing objectives in the score of an objective that "
                    "also has KPIs of its own (0 to 1); its own KPIs carry the rest"
                ),
            ),
        ),
        migrations.AddConstraint(
            model_name="scorecardpolicy",
            constraint=models.CheckConstraint(
                condition=models.Q(("cascade_share__gte", 0), ("cascade_share__lte", 1)),
                name="scorecard_policy_cascade_share_is_a_share",
            ),
        ),
    ]
