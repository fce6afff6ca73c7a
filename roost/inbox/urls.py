from django.urls import path

from roost.inbox import views

app_name = "inbox"

P = "w/<slug:slug>/inbox/"
M = P + "<id:message_id>/"

urlpatterns = [
    path(P, views.inbox_list, name="list"),
    path(P + "new/", views.new_items, name="new"),
    path(P + "bulk/", views.bulk, name="bulk"),
    path(P + "tasks/", views.my_tasks, name="my_tasks"),
    path(P + "saved-replies/", views.saved_replies, name="saved_replies"),
    path(
        P + "saved-replies/<id:saved_reply_id>/",
        views.saved_reply_edit,
        name="saved_reply_edit",
    ),
    path(
        P + "saved-replies/<id:saved_reply_id>/delete/",
        views.saved_reply_delete,
        name="saved_reply_delete",
    ),
    path(M, views.detail, name="detail"),
    path(M + "assign/", views.assign, name="assign"),
    path(M + "status/", views.status, name="status"),
    path(M + "tags/", views.tags, name="tags"),
    path(M + "tasks/", views.task_new, name="task_create"),
    path(M + "tasks/<id:task_id>/done/", views.task_done, name="task_done"),
    path(M + "notes/", views.note_add, name="note_add"),
    path(M + "reply/", views.reply, name="reply"),
    path(M + "reply/retry/", views.reply_retry, name="reply_retry"),
    path(M + "presence/", views.presence, name="presence"),
    path(P + "settings/", views.settings_view, name="settings"),
    path(P + "settings/rules/", views.rule_create, name="rule_create"),
    path(P + "settings/rules/<id:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path(P + "settings/webhooks/", views.endpoint_create, name="endpoint_create"),
    path(
        P + "settings/webhooks/<id:endpoint_id>/delete/",
        views.endpoint_delete,
        name="endpoint_delete",
    ),
    path(
        P + "settings/webhooks/<id:endpoint_id>/rotate/",
        views.endpoint_rotate,
        name="endpoint_rotate",
    ),
    path(
        P + "settings/deliveries/<id:delivery_id>/replay/",
        views.delivery_replay,
        name="delivery_replay",
    ),
    path(P + "settings/saved-replies/", views.saved_reply_create, name="saved_reply_create"),
    path(P + "report/", views.report, name="report"),
]
