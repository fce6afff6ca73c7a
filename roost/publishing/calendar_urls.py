"""Calendar routes (month, week, list, drag-and-drop moves, ICS feed)."""

from django.urls import path  # noqa: F401

app_name = "calendar"

urlpatterns: list = []
