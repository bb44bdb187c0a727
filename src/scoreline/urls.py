from django.contrib import admin
from django.urls import include, path

from scoreline.api import api

urlpatterns = [
    path("", include("scoreline.access.urls")),
    path("org/", include("scoreline.org.urls")),
    path("strategy/", include("scoreline.strategy.urls")),
    path("kpis/", include("scoreline.kpis.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
