from django.urls import path

from roost.paid import views

app_name = "paid"

P = "w/<slug:slug>/paid/"

urlpatterns = [
    path(P, views.overview, name="overview"),
]
