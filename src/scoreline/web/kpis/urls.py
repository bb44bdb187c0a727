from django.urls import path

from scoreline.web.changes import views as changes
from scoreline.web.kpis import editing, targets, views
from scoreline.web.scorecards import policy
from scoreline.web.scorecards import views as scorecards

# Scorecards and change requests live under /kpis/ too, and keep their names there.
app_name = "kpis"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("new/", editing.kpi_new, name="kpi-new"),
    path("status-rules/", editing.status_rules, name="default-status-rules"),
    path("<int:pk>/", views.kpi_detail, name="kpi"),
    path("<int:pk>/revise/", editing.kpi_revise, name="kpi-revise"),
    path("<int:pk>/retire/", editing.kpi_retire, name="kpi-retire"),
    path("<int:pk>/status-rules/", editing.status_rules, name="status-rules"),
    path("<int:pk>/target/", targets.target_unit, name="target-unit"),
    path("<int:pk>/units/<int:unit_pk>/", views.kpi_detail, name="kpi-unit"),
    path("<int:pk>/units/<int:unit_pk>/target/", targets.target_at, name="target"),
    path("scorecards/", scorecards.scorecard, name="scorecard"),
    path("scorecards/<int:unit_pk>/", scorecards.scorecard, name="scorecard-unit"),
    path("scorecards/policy/", policy.default_scorecard_policy, name="scorecard-default-policy"),
    path("scorecards/<int:unit_pk>/policy/", policy.scorecard_policy, name="scorecard-policy"),
    path(
        "scorecards/<int:unit_pk>/policy/end/",
        policy.end_scorecard_policy,
        name="scorecard-policy-end",
    ),
    path("changes/", changes.change_inbox, name="changes"),
    path("changes/<int:pk>/decide/", changes.decide_change, name="decide"),
]
