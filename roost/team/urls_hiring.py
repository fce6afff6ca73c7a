"""The team's hiring routes (included by roost/team/urls.py)."""

from django.urls import path

from roost.team.views import hiring

P = "w/<slug:slug>/team/"

urlpatterns = [
    path(f"{P}hiring/", hiring.hiring, name="hiring"),
]
