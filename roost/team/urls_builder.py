"""The team's builder routes (included by roost/team/urls.py)."""

from django.urls import path

from roost.team.views import builder

P = "w/<slug:slug>/team/"

urlpatterns = [
    path(f"{P}builder/", builder.builder, name="builder"),
]
