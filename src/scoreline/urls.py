from django.contrib import admin
from django.urls import include, path

from scoreline.api import api
from scoreline.web.favicon import favicon
from scoreline.web.landing import home

urlpatterns = [
    path("", home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("scoreline.web.access.urls")),
    path("org/", include("scoreline.web.org.urls")),
    path("strategy/", include("scoreline.web.strategy.urls")),
    path("kpis/", include("scoreline.web.kpis.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
