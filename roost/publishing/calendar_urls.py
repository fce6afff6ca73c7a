"""Calendar routes (month, week, list, one day, drag-and-drop moves, ICS feed)."""

from django.urls import path

from roost.publishing import calendar_views as views

app_name = "calendar"

urlpatterns = [
    path("w/<slug:slug>/calendar/", views.month, name="month"),
    path("w/<slug:slug>/calendar/week/", views.week, name="week"),
    path("w/<slug:slug>/calendar/list/", views.post_list, name="list"),
    path("w/<slug:slug>/calendar/day/<str:day>/", views.day, name="day"),
    path("w/<slug:slug>/calendar/posts/<id:post_id>/move/", views.move, name="move"),
    path("w/<slug:slug>/calendar/feed/", views.feed, name="feed"),
    path("w/<slug:slug>/calendar/feed/rotate/", views.feed_rotate, name="feed_rotate"),
    path("ics/<str:token>.ics", views.ics, name="ics"),
]
