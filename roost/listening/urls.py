from django.urls import path

from roost.listening import views

app_name = "listening"

L = "w/<slug:slug>/listening/"

urlpatterns = [
    path(L, views.overview, name="overview"),
    path(L + "topics/new/", views.topic_new, name="topic_new"),
    path(L + "topics/preview/", views.topic_preview, name="topic_preview"),
    path(L + "topics/<id:topic_id>/", views.topic, name="topic"),
    path(L + "topics/<id:topic_id>/edit/", views.topic_edit, name="topic_edit"),
    path(L + "topics/<id:topic_id>/delete/", views.topic_delete, name="topic_delete"),
    path(L + "mentions/", views.mentions, name="mentions"),
    path(L + "mentions/<id:mention_id>/inbox/", views.mention_to_inbox, name="mention_inbox"),
    path(L + "alerts/", views.alerts, name="alerts"),
]
