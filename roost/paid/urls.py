from django.urls import path

from roost.paid import (
    boost_views,
    campaign_views,
    experiment_views,
    import_views,
    pages,
    sync_views,
    views,
)

app_name = "paid"

P = "w/<slug:slug>/paid/"

urlpatterns = [
    path(P, views.overview, name="overview"),
    path(f"{P}accounts/sandbox/", sync_views.accounts_sandbox, name="accounts_sandbox"),
    path(
        f"{P}accounts/sandbox/<id:channel_id>/connect/",
        sync_views.accounts_sandbox_connect,
        name="accounts_sandbox_connect",
    ),
    path(
        f"{P}accounts/sandbox/sync/<id:ad_account_id>/",
        sync_views.accounts_sandbox_sync,
        name="accounts_sandbox_sync",
    ),
    path(P + "accounts/", import_views.accounts, name="accounts"),
    path(P + "accounts/new/", import_views.account_new, name="account_new"),
    path(P + "accounts/<id:ad_account_id>/", import_views.account_edit, name="account_edit"),
    path(P + "imports/", import_views.imports, name="imports"),
    path(P + "imports/new/", import_views.import_new, name="import_new"),
    path(P + "imports/<id:import_id>/", import_views.import_preview, name="import_preview"),
    path(P + "imports/<id:import_id>/run/", import_views.import_run, name="import_run"),
    path(f"{P}campaigns/", campaign_views.campaigns, name="campaigns"),
    path(f"{P}campaigns/new/", campaign_views.campaign_new, name="campaign_new"),
    path(f"{P}campaigns/<id:paid_campaign_id>/", campaign_views.campaign, name="campaign"),
    path(
        f"{P}campaigns/<id:paid_campaign_id>/edit/",
        campaign_views.campaign_edit,
        name="campaign_edit",
    ),
    path(f"{P}settings/", pages.settings, name="settings"),
    path(f"{P}settings/rates/", pages.rate_set, name="rate_set"),
    path(f"{P}settings/rates/delete/", pages.rate_delete, name="rate_delete"),
    path(f"{P}planning/", pages.planning_page, name="planning"),
    path(P + "boosts/", boost_views.boost_list, name="boosts"),
    path(P + "boosts/new/<id:post_id>/", boost_views.boost_new, name="boost_new"),
    path(P + "boosts/<id:boost_id>/", boost_views.boost_detail, name="boost"),
    path(P + "boosts/<id:boost_id>/cancel/", boost_views.boost_cancel, name="boost_cancel"),
    path(f"{P}experiments/", experiment_views.experiments, name="experiments"),
    path(f"{P}experiments/new/", experiment_views.experiment_new, name="experiment_new"),
    path(f"{P}experiments/plan/", experiment_views.experiment_plan, name="experiment_plan"),
    path(f"{P}experiments/<id:experiment_id>/", experiment_views.experiment, name="experiment"),
    path(
        f"{P}experiments/<id:experiment_id>/start/",
        experiment_views.experiment_start_view,
        name="experiment_start",
    ),
    path(
        f"{P}experiments/<id:experiment_id>/stop/",
        experiment_views.experiment_stop_view,
        name="experiment_stop",
    ),
]
