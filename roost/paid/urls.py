from django.urls import path

from roost.paid import boost_views, views

app_name = "paid"

P = "w/<slug:slug>/paid/"

urlpatterns = [
    path(P, views.overview, name="overview"),
    path(P + "boosts/", boost_views.boost_list, name="boosts"),
    path(P + "boosts/new/<id:post_id>/", boost_views.boost_new, name="boost_new"),
    path(P + "boosts/<id:boost_id>/", boost_views.boost_detail, name="boost"),
    path(P + "boosts/<id:boost_id>/cancel/", boost_views.boost_cancel, name="boost_cancel"),
]
