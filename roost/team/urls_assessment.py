"""The practical exercise's routes (included by roost/team/urls.py): the candidate's
one-time link, the exercise page of an assessment workspace, and the hiring side."""

from django.urls import path

from roost.team.views import assessment

P = "w/<slug:slug>/"

urlpatterns = [
    path("assess/<str:token>/", assessment.assess_start, name="assess_start"),
    path(f"{P}assessment/", assessment.assessment, name="assessment"),
    path(f"{P}assessment/submit/", assessment.assessment_submit, name="assessment_submit"),
    path(f"{P}team/hiring/assessments/new/", assessment.assessment_new, name="assessment_new"),
    path(
        f"{P}team/hiring/assessments/<id:assessment_id>/",
        assessment.assessment_detail,
        name="assessment_detail",
    ),
]
