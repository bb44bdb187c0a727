from django.urls import path

from scoreline.web.changes import views as changes
from scoreline.web.kpis import views
from scoreline.web.scorecards import views as scorecards

# Scorecards and change requests live under /kpis/ too, and keep their names there.
app_name = "kpis"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.kpi_detail, name="kpi"),
    path("<int:pk>/units/<int:unit_pk>/", views.kpi_detail, name="kpi-unit"),
    path("scorecards/", scorecards.scorecard, name="scorecard"),
    path("scorecards/<int:unit_pk>/", scorecards.scorecard, name="scorecard-unit"),
    path("changes/", changes.change_inbox, name="changes"),
    path("changes/<int:pk>/decide/", changes.decide_change, name="decide"),
]
