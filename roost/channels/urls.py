from django.urls import path

from roost.channels import views

app_name = "channels"

urlpatterns = [
    path("w/<slug:slug>/channels/", views.channel_list, name="list"),
    path("w/<slug:slug>/channels/connect/<str:network>/", views.connect, name="connect"),
    path(
        "w/<slug:slug>/channels/oauth/<str:network>/callback/",
        views.oauth_callback,
        name="oauth_callback",
    ),
    path(
        "w/<slug:slug>/channels/<id:channel_id>/disconnect/",
        views.disconnect,
        name="disconnect",
    ),
]
