from django.urls import path

from roost.paid import experiment_views, views

app_name = "paid"

P = "w/<slug:slug>/paid/"

urlpatterns = [
    path(P, views.overview, name="overview"),
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
