from django.urls import path

from roost.paid import sync_views, views

app_name = "paid"

P = "w/<slug:slug>/paid/"

urlpatterns = [
    path(P, views.overview, name="overview"),
    path(f"{P}accounts/sandbox/", sync_views.accounts_sandbox, name="accounts_sandbox"),
    path(
        f"{P}accounts/sandbox/<int:channel_id>/connect/",
        sync_views.accounts_sandbox_connect,
        name="accounts_sandbox_connect",
    ),
    path(
        f"{P}accounts/sandbox/sync/<int:ad_account_id>/",
        sync_views.accounts_sandbox_sync,
        name="accounts_sandbox_sync",
    ),
]
