"""Workspaces: who may create them (an operator's choice)."""

from django.core.exceptions import ImproperlyConfigured

from roost.settings.env import env_str

# Who may create a new workspace (and so become its Owner):
#   owners  (default) people who are already Owner of a workspace, and staff: an Owner
#           sets up the next brand or client; everyone else joins through invites.
#   staff   only the operator's staff accounts (is_staff or superuser).
#   anyone  every logged-in account (a self-serve install).
# Whatever the value, a fresh install (no workspace yet) lets its first user create one.
WORKSPACE_CREATION_CHOICES = ("owners", "staff", "anyone")
ROOST_WORKSPACE_CREATION = env_str("ROOST_WORKSPACE_CREATION", "owners").strip().lower()
if ROOST_WORKSPACE_CREATION not in WORKSPACE_CREATION_CHOICES:
    raise ImproperlyConfigured(
        f"ROOST_WORKSPACE_CREATION={ROOST_WORKSPACE_CREATION!r}: use one of "
        + ", ".join(WORKSPACE_CREATION_CHOICES)
        + "."
    )
