"""Law and policy push: publish an article, push it to enterprises chosen by industry, township and
eco-code colour (within one dimension any value matches; across dimensions all must), mark it read.

The push is one ``INSERT .. SELECT .. ON CONFLICT DO NOTHING`` over the chosen enterprises, so an
enterprise that already has the article is not counted or told twice; the enterprises newly reached
are told through the notification service in one batch.
"""
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from enterprises import jurisdiction
from enterprises.models import Enterprise
from notifications.services import Message, notify_many

from .. import access
from ..models import Article, ArticlePush, ArticleReceipt, ArticleTopic
from .errors import OutreachError


def article_publish(*, user, title: str, body: str, topic: str, industries=()) -> Article:
    if not access.may_publish(user):
        raise OutreachError(_("Only bureau staff publish articles."), 403)
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise OutreachError(_("An article needs a title and a body."))
    if topic not in ArticleTopic.values:
        raise OutreachError(_("Choose a topic."))
    with transaction.atomic():
        article = Article.objects.create(title=title[:200], body=body, topic=topic, author=user,
                                         published_at=clock.now())
        article.industries.set(industries)
    return article


def push_targets(*, user, industries=(), townships=(), colours=()):
    """The enterprises a push with these criteria reaches: operating ones in the user's jurisdiction."""
    qs = jurisdiction.visible_enterprises(user).exclude(status=Enterprise.Status.CLOSED)
    if industries:
        qs = qs.filter(industry__in=industries)
    if townships:
        qs = qs.filter(township__in=townships)
    if colours:
        qs = qs.filter(eco_code__colour__in=list(colours))
    return qs


def article_push(*, user, article: Article, industries=(), townships=(), colours=()) -> ArticlePush:
    if not access.is_staff(user) or user.role == "grid":
        raise OutreachError(_("Your role may not push articles."), 403)
    industries, townships, colours = list(industries), list(townships), list(colours)
    if not (industries or townships or colours):
        raise OutreachError(_("Choose at least one industry, township or colour."))
    now = clock.now()
    targets = push_targets(user=user, industries=industries, townships=townships, colours=colours)
    with transaction.atomic():
        push = ArticlePush.objects.create(article=article, pushed_by=user, pushed_at=now, colours=colours)
        push.industries.set(industries)
        push.townships.set(townships)
        select, params = targets.order_by().values(eid=F("pk")).query.get_compiler(connection=connection).as_sql()
        table = ArticleReceipt._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (article_id, enterprise_id, push_id, delivered_at) "
                # WHERE true: SQLite needs a WHERE before ON CONFLICT in an INSERT .. SELECT
                f"SELECT %s, t.eid, %s, %s FROM ({select}) AS t WHERE true "
                f"ON CONFLICT (article_id, enterprise_id) DO NOTHING RETURNING enterprise_id",
                [article.pk, push.pk, now, *params])
            reached = [row[0] for row in cursor.fetchall()]
        push.reached = len(reached)
        push.save(update_fields=["reached"])
        url = reverse("outreach:article_detail", args=[article.pk])
        subject = _("New from the bureau: %(title)s") % {"title": article.title}
        notify_many(Message(kind="article", subject=subject, enterprise=ent, url=url, source=f"article:{article.pk}",
                            dedup_key=f"article:{article.pk}:{ent.pk}")
                    for ent in Enterprise.objects.filter(pk__in=reached).only("pk", "contact_email"))
    return push


def article_read(*, user, article: Article) -> ArticleReceipt | None:
    """An enterprise account opened the article: its receipt is read from now (the first time counts)."""
    if not access.is_enterprise(user):
        return None
    ArticleReceipt.objects.filter(article=article, enterprise_id=user.enterprise_id, read_at__isnull=True) \
        .update(read_at=clock.now())
    return ArticleReceipt.objects.filter(article=article, enterprise_id=user.enterprise_id).first()
