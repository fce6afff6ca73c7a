from django.contrib import admin

from roost.workspaces.models import AuditEntry, Group, Invite, Membership, Workspace


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "timezone", "language", "created_at"]
    search_fields = ["name", "slug"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "workspace", "created_at"]
    list_select_related = ["user", "workspace"]


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["name", "workspace"]


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ["email", "workspace", "created_at", "accepted_at", "revoked_at"]
    exclude = ["token_hash"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "workspace", "actor", "action", "target_type", "target_id"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None):
        return False
