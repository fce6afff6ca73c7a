from django.urls import path

from roost.analytics import (
    dashboard_views,
    goal_views,
    report_views,
    roi_views,
    team_views,
    views,
)

app_name = "analytics"

A = "w/<slug:slug>/analytics/"

urlpatterns = [
    path(A, views.overview, name="overview"),
    path(A + "goals/", goal_views.goals, name="goals"),
    path(A + "goals/new/", goal_views.goal_new, name="goal_new"),
    path(A + "goals/<id:goal_id>/", goal_views.goal_edit, name="goal_edit"),
    path(A + "goals/<id:goal_id>/delete/", goal_views.goal_delete, name="goal_delete"),
    path(A + "best-times/", goal_views.best_times, name="best_times"),
    path(A + "team/", team_views.team, name="team"),
    path(A + "team.csv", team_views.team_csv, name="team_csv"),
    path(A + "channels/<id:channel_id>/", dashboard_views.channel, name="channel"),
    path(A + "campaigns/<id:campaign_id>/", dashboard_views.campaign, name="campaign"),
    path(A + "tags/<id:tag_id>/", dashboard_views.tag, name="tag"),
    path(A + "posts/<id:post_id>/", dashboard_views.post, name="post"),
    path(A + "roi/", roi_views.roi, name="roi"),
    path(A + "roi/settings/", roi_views.roi_settings, name="roi_settings"),
    path(A + "roi/cost/", roi_views.roi_cost, name="roi_cost"),
    path(A + "roi/import/", roi_views.roi_import, name="roi_import"),
    # Public by design (no login): the short-link redirect, see roi_views.short_link.
    path("l/<slug:code>", roi_views.short_link, name="short_link"),
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
