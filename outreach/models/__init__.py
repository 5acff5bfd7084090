"""Models of outreach (enterprise services), split by service."""
from .articles import Article, ArticlePush, ArticleReceipt, ArticleTopic
from .assessments import AssessmentLine, SelfAssessment
from .exams import Attempt, AttemptAnswer, BankQuestion, Exam, ExamItem, RetakeGrant
from .healthchecks import HealthCheck, RemedyItem
from .questions import TOPIC_ROUTES, FaqEntry, Question, QuestionAttachment, QuestionMessage, Route, Topic
from .rollups import ValidHoursDay

__all__ = [
    "Article", "ArticlePush", "ArticleReceipt", "ArticleTopic", "AssessmentLine", "SelfAssessment", "Attempt",
    "AttemptAnswer", "BankQuestion", "Exam", "ExamItem", "RetakeGrant", "HealthCheck", "RemedyItem", "TOPIC_ROUTES",
    "FaqEntry", "Question", "QuestionAttachment", "QuestionMessage", "Route", "Topic", "ValidHoursDay",
]
