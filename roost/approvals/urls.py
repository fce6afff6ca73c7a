from django.urls import path

from roost.approvals import views

app_name = "approvals"

urlpatterns = [
    path("w/<slug:slug>/approvals/", views.queue, name="queue"),
    path("w/<slug:slug>/approvals/<id:request_id>/", views.detail, name="detail"),
    path("w/<slug:slug>/approvals/<id:request_id>/decide/", views.decide, name="decide"),
    path(
        "w/<slug:slug>/approvals/<id:request_id>/approve/",
        views.queue_approve,
        name="queue_approve",
    ),
    path("w/<slug:slug>/approvals/route/", views.route_preview, name="route"),
    path("w/<slug:slug>/approvals/workflows/", views.workflows, name="workflows"),
    path("w/<slug:slug>/approvals/workflows/new/", views.workflow_new, name="workflow_new"),
    path(
        "w/<slug:slug>/approvals/workflows/<id:workflow_id>/",
        views.workflow_edit,
        name="workflow_edit",
    ),
    path(
        "w/<slug:slug>/approvals/workflows/<id:workflow_id>/delete/",
        views.workflow_delete,
        name="workflow_delete",
    ),
    path("w/<slug:slug>/approvals/settings/", views.settings_save, name="settings"),
    path("review/<str:token>/", views.link, name="link"),
]
