"""Web pages of outreach under /outreach/."""
from django.urls import path, register_converter

from .views import articles, assessments, exams, healthchecks, home, questions, reports


class ReportFormat:
    """The file format of a report in its URL: pdf or xlsx."""

    regex = "pdf|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReportFormat, "report_format")
app_name = "outreach"
urlpatterns = [
    path("", home.home, name="home"),
    path("questions/", questions.question_list, name="question_list"),
    path("questions/ask/", questions.question_ask, name="question_ask"),
    path("questions/<int:pk>/", questions.question_detail, name="question_detail"),
    path("questions/<int:pk>/act/", questions.question_act, name="question_act"),
    path("questions/files/<int:pk>/", questions.question_attachment, name="question_attachment"),
    path("faq/", questions.faq, name="faq"),
    path("articles/", articles.article_list, name="article_list"),
    path("articles/new/", articles.article_new, name="article_new"),
    path("articles/<int:pk>/", articles.article_detail, name="article_detail"),
    path("articles/<int:pk>/push/", articles.article_push, name="article_push"),
    path("exams/", exams.exam_list, name="exam_list"),
    path("exams/<int:pk>/results/", exams.exam_results, name="exam_results"),
    path("exams/<int:pk>/retake/", exams.exam_retake, name="exam_retake"),
    path("exams/<int:pk>/start/", exams.exam_start, name="exam_start"),
    path("attempts/<int:pk>/", exams.attempt_page, name="attempt"),
    path("reports/", reports.report_form, name="report_form"),
    path("reports/enterprise/<int:pk>.<report_format:fmt>", reports.enterprise_report, name="enterprise_report"),
    path("reports/county.<report_format:fmt>", reports.county_report, name="county_report"),
    path("assessment/", assessments.assessment_fill, name="assessment_fill"),
    path("assessment/<int:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("assessment/differences/", assessments.assessment_differences, name="assessment_differences"),
    path("health/", healthchecks.health_list, name="health_list"),
    path("health/new/", healthchecks.health_new, name="health_new"),
    path("health/<int:pk>/", healthchecks.health_detail, name="health_detail"),
    path("health/items/<int:pk>/done/", healthchecks.remedy_done, name="remedy_done"),
]
