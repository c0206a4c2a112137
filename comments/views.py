"""POST /<article path>/comments/: a reader's comment, checked and filed, then PRG."""

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from articles.models import Article
from articles.views import ArticleView
from comments import policy as policies
from comments import preview, spam, subscriptions
from comments.forms import REPLY_UNAPPROVED, CommentForm, token_is_valid
from comments.http import FilePartRefused, client_ip, refuse_file_parts, same_origin
from comments.models import Comment
from comments.pipeline import submit

# WordPress's message (the form has those about what was posted).
CLOSED = "Comments are closed."
FORGED = "This comment did not come from a form on this site, so it was not posted."
FILES = "Comments are text only: a post with an attached file is not accepted."


def _article_page(request, article, form, status):
    """The article page again, the form showing its errors and everything typed."""
    view = ArticleView()
    view.setup(request, slug=article.slug)
    view.object = article
    context = view.get_context_data(object=article, comment_form=form)
    return TemplateResponse(request, view.template_name, context, status=status)


def _refused(request, article, message, *, keep_text=True, status=403):
    """403 with a short page saying why; the reader's text is shown so it is not lost."""
    text = request.POST.get("comment", "") if keep_text else ""
    context = {"article": article, "message": message, "text": text}
    return TemplateResponse(request, "comments/refused.html", context, status=status)


def _csrf_failure(request):
    """Django's own CSRF check (origin, cookie, token), for signed-in users."""
    return CsrfViewMiddleware(lambda r: None).process_view(request, _protected, (), {})


def _protected(request):  # pragma: no cover - a stand-in callback, never called
    raise NotImplementedError


# The comment form sets no CSRF cookie on the (cacheable, cookie-free) article page, so
# Django's middleware cannot check anonymous posts; this view checks every post itself:
# the Origin (cross-site posts are refused), the form's signed token, and, for signed-in
# users, Django's full CSRF check as well.
@csrf_exempt
@require_POST
def post_comment(request, path):
    slug = path.rpartition("/")[2]
    article = get_object_or_404(Article.objects.published().select_related("category"), slug=slug)
    try:
        refuse_file_parts(request)  # before anything reads the body
    except FilePartRefused:
        return _refused(request, article, FILES, keep_text=False, status=400)
    if not same_origin(request):
        return _refused(request, article, FORGED, keep_text=False)
    if request.user.is_authenticated and (failure := _csrf_failure(request)):
        return failure
    if not token_is_valid(request.POST.get("token"), article):
        return _refused(request, article, FORGED, keep_text=False)

    policy = policies.current()
    if policies.is_closed(article, policy):
        return _refused(request, article, CLOSED)
    user = request.user if request.user.is_authenticated else None
    form = CommentForm(
        request.POST, article=article, user=user, ip=client_ip(request), policy=policy
    )
    if not form.is_valid():
        status = form.refusal()
        if status == 403:  # a reply to a comment one cannot reply to
            return _refused(request, article, REPLY_UNAPPROVED)
        return _article_page(request, article, form, status)

    data = form.cleaned_data
    comment = form.build_comment(
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:512],
        referrer=request.META.get("HTTP_REFERER", "")[:1024],
    )
    submit(
        comment,
        honeypot=data[spam.HONEYPOT_FIELD],
        notify_published=data["notify_published"],
        notify_replies=data["notify_replies"],
    )

    anchor = f"#comment-{comment.pk}"
    if comment.status not in (Comment.Status.APPROVED, Comment.Status.PENDING):
        anchor = "#comments"  # spam and trash: nothing to show, and nothing to tell a bot
    response = HttpResponseRedirect(article.get_absolute_url() + anchor)
    if comment.status == Comment.Status.PENDING:
        preview.remember_pending(request, response, comment)
    if user is None:
        preview.update_author_cookies(request, response, data)
    return response


def privacy(request):
    """/privacy/: what we store about commenters, why, for how long, and who else sees it.
    The periods come from the code and the policy, so the page cannot drift from them."""
    return render(
        request,
        "privacy.html",
        {
            "personal_data_days": policies.current().personal_data_days,
            "payload_days": Comment.PAYLOAD_KEPT.days,
            "spam_days": Comment.SPAM_KEPT.days,
            "trash_days": Comment.TRASH_KEPT.days,
            "preview_minutes": preview.PREVIEW_SECONDS // 60,
            "cookie_days": preview.AUTHOR_COOKIE_AGE.days,
            "confirm_days": settings.NOTIFY_CONFIRM_DAYS,
            "unsubscribed_days": subscriptions.UNSUBSCRIBED_KEPT.days,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_subscription(request, token):
    """The double opt-in's link: GET shows a button (a link scanner opening it confirms
    nothing), POST confirms. A forged token or erased address: 404; an old link: 410."""
    try:
        subscriber = subscriptions.subscriber_for_confirmation(token)
    except subscriptions.BadToken:
        raise Http404("no such confirmation") from None
    except subscriptions.ExpiredToken:
        context = {"days": settings.NOTIFY_CONFIRM_DAYS}
        return render(request, "comments/notify/expired.html", context, status=410)
    outcome = subscriptions.confirm(subscriber) if request.method == "POST" else None
    if outcome is None and subscriber.deliverable:
        outcome = "already"
    context = {"subscriber": subscriber, "outcome": outcome}
    return render(request, "comments/notify/confirm.html", context)


# RFC 8058: the one-click POST comes from the reader's mail provider, not from a page of
# ours, so it carries no CSRF token nor our Origin. The signed token in the URL is the
# authorisation; this view alone is exempt. GET only shows the button (link scanners).
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        subscriber, subscription = subscriptions.unsubscribe_target(token)
    except subscriptions.BadToken:
        raise Http404("no such subscription") from None
    done = request.method == "POST" and subscriptions.unsubscribe(subscriber, subscription)
    stopped = subscriber.unsubscribed_at or (subscription and subscription.unsubscribed_at)
    if done:
        subscriber.refresh_from_db()
    context = {
        "subscriber": subscriber,
        "subscription": subscription,
        "done": done,
        "already": bool(stopped),
        "repeat": request.method == "POST" and bool(stopped),  # a second click
        "all_url": subscriptions.unsubscribe_url(subscriber=subscriber),
    }
    return render(request, "comments/notify/unsubscribe.html", context)
