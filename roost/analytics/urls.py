from django.urls import path

from roost.analytics import goal_views, team_views, views

app_name = "analytics"

A = "w/<slug:slug>/analytics/"

urlpatterns = [
    path(A, views.overview, name="overview"),
    path(A + "goals/", goal_views.goals, name="goals"),
    path(A + "goals/new/", goal_views.goal_new, name="goal_new"),
    path(A + "goals/<int:goal_id>/", goal_views.goal_edit, name="goal_edit"),
    path(A + "goals/<int:goal_id>/delete/", goal_views.goal_delete, name="goal_delete"),
    path(A + "best-times/", goal_views.best_times, name="best_times"),
    path(A + "team/", team_views.team, name="team"),
    path(A + "team.csv", team_views.team_csv, name="team_csv"),
]
