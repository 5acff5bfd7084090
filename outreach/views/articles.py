"""Article pages: the list (received articles with their read state for an enterprise; published
articles with reach and read rate for staff), publishing, an article (read mark, push form, read
rates per township for staff)."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecocode.models import Colour
from enterprises import jurisdiction
from enterprises.models import Industry

from .. import access, selectors
from ..models import Article, ArticleTopic
from ..services import articles as service
from ..services.errors import OutreachError
from .common import bureau_required, refused, staff_required


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


@login_required
def article_list(request):
    user = request.user
    if access.is_enterprise(user):
        page = Paginator(selectors.receipts_of(user).order_by("-delivered_at"), 30).get_page(request.GET.get("page"))
        unread = selectors.receipts_of(user).filter(read_at__isnull=True).count()
        return render(request, "outreach/article_inbox.html", {"page": page, "unread": unread})
    if not access.is_staff(user):
        raise Http404
    receipts = selectors.receipts_of(user)
    articles = Article.objects.annotate(
        reached=Count("receipts", filter=Q(receipts__in=receipts)),
        read=Count("receipts", filter=Q(receipts__in=receipts, receipts__read_at__isnull=False)))
    page = Paginator(articles.order_by("-published_at", "-id"), 30).get_page(request.GET.get("page"))
    return render(request, "outreach/article_list.html", {"page": page, "may_publish": access.may_publish(user)})


@bureau_required
def article_new(request):
    context = {"topics": ArticleTopic.choices, "industries": Industry.objects.all(), "form": request.POST}
    if request.method == "POST":
        try:
            article = service.article_publish(user=request.user, title=request.POST.get("title", ""),
                                              body=request.POST.get("body", ""), topic=request.POST.get("topic", ""),
                                              industries=_ids(request.POST.getlist("industries")))
        except OutreachError as exc:
            return refused(request, "outreach/article_new.html", context, exc)
        messages.success(request, _("Published. Now push it to enterprises."))
        return redirect("outreach:article_detail", pk=article.pk)
    return render(request, "outreach/article_new.html", context)


def _staff_context(request, article):
    receipts = selectors.receipts_of(request.user).filter(article=article)
    return {"by_township": selectors.read_rates(receipts, "enterprise__township__name"),
            "pushes": article.pushes.select_related("pushed_by").prefetch_related("industries", "townships"),
            "industries": Industry.objects.filter(enterprises__in=jurisdiction.visible_enterprises(request.user))
            .distinct(), "townships": jurisdiction.visible_townships(request.user), "colours": Colour.choices}


@login_required
def article_detail(request, pk: int):
    article = get_object_or_404(Article.objects.prefetch_related("industries"), pk=pk)
    user = request.user
    context = {"article": article}
    if access.is_enterprise(user):
        receipt = service.article_read(user=user, article=article)
        if receipt is None:
            raise Http404  # an enterprise reads what was pushed to it
        context["receipt"] = receipt
    elif access.is_staff(user):
        context.update(_staff_context(request, article))
    else:
        raise Http404
    return render(request, "outreach/article_detail.html", context)


@staff_required
@require_POST
def article_push(request, pk: int):
    article = get_object_or_404(Article, pk=pk)
    townships = jurisdiction.visible_townships(request.user).filter(pk__in=_ids(request.POST.getlist("townships")))
    colours = [c for c in request.POST.getlist("colours") if c in Colour.values]
    try:
        push = service.article_push(user=request.user, article=article,
                                    industries=Industry.objects.filter(pk__in=_ids(request.POST.getlist("industries"))),
                                    townships=townships, colours=colours)
    except OutreachError as exc:
        context = {"article": article, **_staff_context(request, article)}
        return refused(request, "outreach/article_detail.html", context, exc)
    messages.success(request, _("Pushed to %(n)d enterprises.") % {"n": push.reached})
    return redirect("outreach:article_detail", pk=article.pk)
