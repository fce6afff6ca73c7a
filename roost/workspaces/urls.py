from django.urls import path

from roost.workspaces import views

app_name = "workspaces"

urlpatterns = [
    path("workspaces/new/", views.workspace_create, name="create"),
    path("w/<slug:slug>/team/", views.team, name="team"),
    path("w/<slug:slug>/team/invites/", views.invite_create, name="invite_create"),
    path(
        "w/<slug:slug>/team/invites/<id:invite_id>/revoke/",
        views.invite_revoke,
        name="invite_revoke",
    ),
    path("w/<slug:slug>/team/members/<id:member_id>/", views.member_edit, name="member_edit"),
    path(
        "w/<slug:slug>/team/members/<id:member_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("w/<slug:slug>/team/groups/new/", views.group_create, name="group_create"),
    path("w/<slug:slug>/team/groups/<id:group_id>/", views.group_edit, name="group_edit"),
    path(
        "w/<slug:slug>/team/groups/<id:group_id>/delete/",
        views.group_delete,
        name="group_delete",
    ),
    path("w/<slug:slug>/settings/", views.workspace_settings, name="settings"),
    path("w/<slug:slug>/audit/", views.audit, name="audit"),
    path("w/<slug:slug>/tokens/", views.tokens, name="tokens"),
    path("w/<slug:slug>/tokens/<id:token_id>/revoke/", views.token_revoke, name="token_revoke"),
]
