from django.urls import path

from roost.paid import campaign_views, pages, views

app_name = "paid"

P = "w/<slug:slug>/paid/"

urlpatterns = [
    path(P, views.overview, name="overview"),
    path(f"{P}campaigns/", campaign_views.campaigns, name="campaigns"),
    path(f"{P}campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path(f"{P}campaigns/<int:paid_campaign_id>/", campaign_views.campaign, name="campaign"),
    path(
        f"{P}campaigns/<int:paid_campaign_id>/edit/",
        campaign_views.campaign_edit,
        name="campaign_edit",
    ),
    path(f"{P}settings/", pages.settings, name="settings"),
    path(f"{P}settings/rates/", pages.rate_set, name="rate_set"),
    path(f"{P}settings/rates/delete/", pages.rate_delete, name="rate_delete"),
    path(f"{P}planning/", pages.planning_page, name="planning"),
]
