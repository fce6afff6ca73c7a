"""The team's workload routes (included by roost/team/urls.py)."""

from django.urls import path

from roost.team.views import workload

P = "w/<slug:slug>/team/"

urlpatterns = [
    path(f"{P}workload/", workload.workload, name="workload"),
    path(f"{P}workload/check-in/", workload.check_in, name="workload_check_in"),
    path(f"{P}workload/away/", workload.my_away, name="workload_away"),
    path(f"{P}workload/manage/", workload.manage, name="workload_manage"),
]
