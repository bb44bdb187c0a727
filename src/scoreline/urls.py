from django.contrib import admin
from django.urls import include, path

from scoreline.api import api
from scoreline.views import home

urlpatterns = [
    path("", home, name="home"),
    path("", include("scoreline.access.urls")),
    path("org/", include("scoreline.org.urls")),
    path("strategy/", include("scoreline.strategy.urls")),
    path("kpis/", include("scoreline.kpis.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
