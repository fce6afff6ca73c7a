from django.contrib import admin
from django.urls import include, path, register_converter

from roost.api.urls import api
from roost.core.converters import IdConverter

# `<id:…>` in every app's routes: registered before their URL modules are included.
register_converter(IdConverter, "id")

urlpatterns = [
    path("", include("roost.web.urls")),
    path("", include("roost.accounts.urls")),
    path("", include("roost.workspaces.urls")),
    path("", include("roost.channels.urls")),
    path("", include("roost.publishing.urls")),
    path("", include("roost.publishing.calendar_urls")),
    path("", include("roost.approvals.urls")),
    path("", include("roost.inbox.urls")),
    path("", include("roost.analytics.urls")),
    path("", include("roost.briefing.urls")),
    path("", include("roost.listening.urls")),
    path("", include("roost.paid.urls")),
    path("", include("roost.team.urls")),
    path("", include("roost.notifications.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler404 = "roost.web.views.not_found"
handler403 = "roost.web.views.forbidden"
handler500 = "roost.web.views.server_error"
