from django.urls import path

from scoreline.web.strategy import editing, views, workshop_editing

app_name = "strategy"
urlpatterns = [
    path("", views.strategy_map_page, name="map"),
    path("units/<int:unit_pk>/", views.strategy_map_page, name="unit-map"),
    path("units/<int:unit_pk>/objectives/new/", editing.objective_create, name="objective-new"),
    path(
        "units/<int:unit_pk>/perspective-weights/",
        editing.perspective_weights_page,
        name="perspective-weights",
    ),
    path(
        "units/<int:unit_pk>/workshops/new/", workshop_editing.workshop_create, name="workshop-new"
    ),
    path("objectives/<int:pk>/", views.objective_page, name="objective"),
    path("objectives/<int:pk>/revise/", editing.objective_revise, name="objective-revise"),
    path("objectives/<int:pk>/weights/", editing.objective_weights, name="objective-weights"),
    path("objectives/<int:pk>/retire/", editing.objective_retire, name="objective-retire"),
    path("objectives/<int:pk>/measures/new/", editing.measure_add, name="measure-new"),
    path(
        "objectives/<int:pk>/measures/<int:kpi_pk>/weight/",
        editing.measure_weight,
        name="measure-weight",
    ),
    path(
        "objectives/<int:pk>/measures/<int:kpi_pk>/remove/",
        editing.measure_remove,
        name="measure-remove",
    ),
    path("workshops/", views.workshop_list, name="workshops"),
    path("workshops/<int:pk>/", views.workshop_page, name="workshop"),
    path(
        "workshops/<int:pk>/participants/<int:participant_pk>/points/",
        workshop_editing.workshop_points,
        name="workshop-points",
    ),
    path("workshops/<int:pk>/agree/", workshop_editing.workshop_agree, name="workshop-agree"),
    path("esg/", views.esg_view, name="esg"),
]
