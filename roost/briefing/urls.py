from django.urls import path

from roost.briefing import views

app_name = "briefing"

B = "w/<slug:slug>/brief/"

urlpatterns = [
    path(B, views.today, name="today"),
    path(B + "settings/", views.settings_view, name="settings"),
    path(B + "subscribe/", views.subscribe, name="subscribe"),
    path(B + "items/", views.item_add, name="item_add"),
    path(B + "items/<id:item_id>/done/", views.item_done, name="item_done"),
    path(B + "<str:day>/", views.day, name="day"),
]
