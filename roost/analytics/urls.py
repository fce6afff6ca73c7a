from django.urls import path

from roost.analytics import views

app_name = "analytics"

A = "w/<slug:slug>/analytics/"

urlpatterns = [
    path(A, views.overview, name="overview"),
]
