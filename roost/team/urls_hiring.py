"""The team's hiring routes (included by roost/team/urls.py)."""

from django.urls import path

from roost.team.views import hiring

P = "w/<slug:slug>/team/hiring/"
C = f"{P}candidates/<id:candidate_id>/"

urlpatterns = [
    path(P, hiring.hiring, name="hiring"),
    path(f"{P}new/", hiring.opening_new, name="opening_new"),
    path(f"{P}<id:opening_id>/", hiring.opening, name="opening"),
    path(f"{P}<id:opening_id>/edit/", hiring.opening_edit, name="opening_edit"),
    path(f"{P}<id:opening_id>/scorecard/", hiring.scorecard_edit, name="scorecard_edit"),
    path(f"{P}<id:opening_id>/candidates/", hiring.candidate_new, name="candidate_new"),
    path(C, hiring.candidate, name="candidate"),
    path(f"{C}stage/", hiring.candidate_stage, name="candidate_stage"),
    path(f"{C}interviewers/", hiring.candidate_interviewers, name="candidate_interviewers"),
    path(f"{C}scorecard/", hiring.candidate_scorecard, name="candidate_scorecard"),
    path(f"{C}delete/", hiring.candidate_delete, name="candidate_delete"),
]
