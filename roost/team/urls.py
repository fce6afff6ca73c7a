"""The team's routes, one module per part (shape, onboarding, workload, hiring), under
/w/<slug>/team/ beside the members page of roost.workspaces."""

from roost.team.urls_assessment import urlpatterns as assessment
from roost.team.urls_builder import urlpatterns as builder
from roost.team.urls_hiring import urlpatterns as hiring
from roost.team.urls_onboarding import urlpatterns as onboarding
from roost.team.urls_workload import urlpatterns as workload

app_name = "team"

urlpatterns = [*builder, *onboarding, *workload, *hiring, *assessment]
