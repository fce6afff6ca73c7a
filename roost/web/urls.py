from django.urls import path

from roost.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("w/<slug:slug>/", views.workspace_home, name="workspace_home"),
]
