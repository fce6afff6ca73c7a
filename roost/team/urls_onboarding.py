"""The team's onboarding routes (included by roost/team/urls.py)."""

from django.urls import path

from roost.team.views import onboarding

P = "w/<slug:slug>/team/onboarding/"

urlpatterns = [
    path(P, onboarding.onboarding, name="onboarding"),
    path(f"{P}start/", onboarding.onboarding_start, name="onboarding_start"),
    path(f"{P}invite/", onboarding.onboarding_invite, name="onboarding_invite"),
    path(f"{P}plans/<id:plan_id>/", onboarding.onboarding_plan, name="onboarding_plan"),
    path(
        f"{P}plans/<id:plan_id>/tick/", onboarding.onboarding_plan_tick, name="onboarding_plan_tick"
    ),
    path(
        f"{P}templates/<id:template_id>/",
        onboarding.onboarding_template,
        name="onboarding_template",
    ),
]
