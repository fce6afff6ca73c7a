"""The team's builder routes (included by roost/team/urls.py)."""

from django.urls import path

from roost.team.views import builder

P = "w/<slug:slug>/team/"

urlpatterns = [
    path(f"{P}builder/", builder.builder, name="builder"),
    path(f"{P}builder/size/", builder.size_set, name="size_set"),
    path(f"{P}people/me/hours/", builder.my_hours, name="my_hours"),
    path(f"{P}people/<id:member_id>/", builder.person, name="person"),
    path(f"{P}people/<id:member_id>/edit/", builder.person_edit, name="person_edit"),
]
