from django.urls import path

from roost.publishing import channel_views, pause_views, views

app_name = "publishing"

urlpatterns = [
    path("w/<slug:slug>/compose/", views.compose_new, name="compose"),
    path("w/<slug:slug>/compose/validate/", views.compose_validate, name="compose_validate"),
    path("w/<slug:slug>/compose/preview/", views.compose_preview, name="compose_preview"),
    path("w/<slug:slug>/compose/upload/", views.compose_upload, name="compose_upload"),
    path("w/<slug:slug>/posts/<id:post_id>/", views.post_detail, name="post"),
    path("w/<slug:slug>/posts/<id:post_id>/edit/", views.post_edit, name="edit"),
    path("w/<slug:slug>/posts/<id:post_id>/schedule/", views.post_schedule, name="schedule"),
    path("w/<slug:slug>/posts/<id:post_id>/cancel/", views.post_cancel, name="cancel"),
    path("w/<slug:slug>/posts/<id:post_id>/delete/", views.post_delete, name="delete"),
    path("w/<slug:slug>/media/", views.media_library, name="media"),
    path("w/<slug:slug>/media/upload/", views.media_upload, name="media_upload"),
    path("w/<slug:slug>/media/<id:media_id>/file/", views.media_file, name="media_file"),
    path("w/<slug:slug>/media/<id:media_id>/thumb/", views.media_thumb, name="media_thumb"),
    path("w/<slug:slug>/campaigns/", views.campaign_list, name="campaigns"),
    path("w/<slug:slug>/campaigns/new/", views.campaign_create, name="campaign_create"),
    # The crisis switch.
    path("w/<slug:slug>/publishing/pause/", pause_views.pause_switch, name="pause"),
    path("w/<slug:slug>/publishing/pause/start/", pause_views.pause_start, name="pause_start"),
    path("w/<slug:slug>/publishing/pause/resume/", pause_views.pause_resume, name="resume"),
    path(
        "w/<slug:slug>/publishing/pause/channels/<id:channel_id>/resume/",
        pause_views.pause_resume_channel,
        name="resume_channel",
    ),
    # A channel's settings with its queue slots: under /channels/, but publishing's page.
    path(
        "w/<slug:slug>/channels/<id:channel_id>/",
        channel_views.channel_settings,
        name="channel_settings",
    ),
]
