from django.urls import path

from scoreline.web.org import views

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("people/", views.people_directory, name="people"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("people/<int:pk>/lines/", views.person_lines, name="person-lines"),
]
