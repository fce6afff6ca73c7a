"""The team's onboarding routes (included by roost/team/urls.py)."""

from django.urls import path

from roost.team.views import onboarding

P = "w/<slug:slug>/team/"

urlpatterns = [
    path(f"{P}onboarding/", onboarding.onboarding, name="onboarding"),
]
