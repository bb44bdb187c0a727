from django.urls import path

from scoreline.web.strategy import views

app_name = "strategy"
urlpatterns = [
    path("", views.strategy_map_page, name="map"),
    path("units/<int:unit_pk>/", views.strategy_map_page, name="unit-map"),
    path("objectives/<int:pk>/", views.objective_page, name="objective"),
    path("workshops/", views.workshop_list, name="workshops"),
    path("workshops/<int:pk>/", views.workshop_page, name="workshop"),
    path("esg/", views.esg_view, name="esg"),
]
