from django.urls import path

from roost.analytics import goal_views, report_views, views

app_name = "analytics"

A = "w/<slug:slug>/analytics/"

urlpatterns = [
    path(A, views.overview, name="overview"),
    path(A + "goals/", goal_views.goals, name="goals"),
    path(A + "goals/new/", goal_views.goal_new, name="goal_new"),
    path(A + "goals/<int:goal_id>/", goal_views.goal_edit, name="goal_edit"),
    path(A + "goals/<int:goal_id>/delete/", goal_views.goal_delete, name="goal_delete"),
    path(A + "best-times/", goal_views.best_times, name="best_times"),
    path(A + "reports/", report_views.builder, name="reports"),
    path(A + "reports/export/", report_views.export, name="report_export"),
    path(A + "reports/schedules/new/", report_views.schedule_new, name="report_schedule_new"),
    path(
        A + "reports/schedules/<id:schedule_id>/",
        report_views.schedule_edit,
        name="report_schedule_edit",
    ),
    path(
        A + "reports/schedules/<id:schedule_id>/delete/",
        report_views.schedule_delete,
        name="report_schedule_delete",
    ),
    path(A + "reports/shares/", report_views.share_create, name="report_share_create"),
    path(
        A + "reports/shares/<id:share_id>/revoke/",
        report_views.share_revoke,
        name="report_share_revoke",
    ),
    path("r/<str:token>/", report_views.share, name="share"),
]
