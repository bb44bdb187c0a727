from django.urls import path

from scoreline.web.kpis import views

app_name = "kpis"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("<int:pk>/", views.kpi_detail, name="kpi"),
    path("<int:pk>/units/<int:unit_pk>/", views.kpi_detail, name="kpi-unit"),
    path("scorecards/", views.scorecard, name="scorecard"),
    path("scorecards/<int:unit_pk>/", views.scorecard, name="scorecard-unit"),
    path("changes/", views.change_inbox, name="changes"),
    path("changes/<int:pk>/decide/", views.decide_change, name="decide"),
]
