from django.urls import path

from scoreline.access.views import login_view, logout_view
from scoreline.views import home

urlpatterns = [
    path("", home, name="home"),
    path("login/", login_view, name="login"),
    path("logout/", logout_view, name="logout"),
]
