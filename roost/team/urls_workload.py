"""The team's workload routes (included by roost/team/urls.py)."""

from django.urls import path

from roost.team.views import workload

P = "w/<slug:slug>/team/"

urlpatterns = [
    path(f"{P}workload/", workload.workload, name="workload"),
]
