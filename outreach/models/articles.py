"""Law and policy push (送法入企): staff publish an ``Article`` and push it to enterprises chosen by
industry, township or eco-code colour; one ``ArticleReceipt`` per enterprise and article records
that it arrived and when it was read."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, Industry, Township


class ArticleTopic(models.TextChoices):
    LAW = "law", _("laws and regulations")
    POLICY = "policy", _("policy")
    STANDARD = "standard", _("emission standards")
    TECHNOLOGY = "technology", _("pollution-control technology")
    CASE = "case", _("enforcement cases")


class Article(models.Model):
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    topic = models.CharField(_("topic"), max_length=16, choices=ArticleTopic.choices, db_index=True)
    industries = models.ManyToManyField(Industry, related_name="articles", blank=True,
                                        verbose_name=_("industries concerned"),
                                        help_text=_("Tags; empty means every industry."))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("author"))
    published_at = models.DateTimeField(_("published at"), db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.title


class ArticlePush(models.Model):
    """One push of an article: the criteria chosen and how many enterprises it newly reached."""

    article = models.ForeignKey(Article, models.CASCADE, related_name="pushes", verbose_name=_("article"))
    pushed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                  verbose_name=_("pushed by"))
    pushed_at = models.DateTimeField(_("pushed at"))
    industries = models.ManyToManyField(Industry, related_name="+", blank=True, verbose_name=_("industries"))
    townships = models.ManyToManyField(Township, related_name="+", blank=True, verbose_name=_("townships"))
    colours = models.JSONField(_("eco-code colours"), default=list, blank=True)
    reached = models.PositiveIntegerField(_("enterprises newly reached"), default=0)

    class Meta:
        ordering = ["-pushed_at", "-id"]
        verbose_name = _("push")
        verbose_name_plural = _("pushes")

    def __str__(self) -> str:
        return f"{self.article_id} {self.pushed_at:%Y-%m-%d}"


class ArticleReceipt(models.Model):
    article = models.ForeignKey(Article, models.CASCADE, related_name="receipts", verbose_name=_("article"))
    enterprise = models.ForeignKey(Enterprise, models.CASCADE, related_name="article_receipts",
                                   verbose_name=_("enterprise"))
    push = models.ForeignKey(ArticlePush, models.CASCADE, related_name="receipts", verbose_name=_("push"))
    delivered_at = models.DateTimeField(_("delivered at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-delivered_at", "-id"]
        verbose_name = _("article receipt")
        verbose_name_plural = _("article receipts")
        constraints = [models.UniqueConstraint(fields=["article", "enterprise"], name="one_receipt_per_article")]
        indexes = [models.Index(fields=["enterprise", "-delivered_at"], name="receipt_enterprise_idx")]

    def __str__(self) -> str:
        return f"{self.article_id} → {self.enterprise_id}"
