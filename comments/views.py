"""POST /<article path>/comments/: a reader's comment, checked and filed, then PRG;
GET /<article path>/comments/<n>/: page n of a long thread (`CommentPageView`); and the
author's private status page of their comment (with its edit form)."""

from datetime import timedelta

from django.conf import settings
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from articles.views import ArticleView
from comments import (
    authoring,
    commenters,
    controls,
    paging,
    preview,
    reports,
    spam,
    subscriptions,
    waiting,
)
from comments import policy as policies
from comments.forms import (
    REPLY_UNAPPROVED,
    CommentEditForm,
    CommentForm,
    ReportForm,
    token_is_valid,
)
from comments.http import FilePartRefused, client_ip, refuse_file_parts, same_origin
from comments.models import BY_RULE, Comment, Report
from comments.pipeline import submit
from comments.templatetags.comments_tags import thread_for

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
    # With its category and its count of threads (where a new one lands: the redirect),
    # in one query.
    article = paging.article_for_post(path.rpartition("/")[2])
    if article is None:
        raise Http404("No such article.")
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
    by_rule = comment.status == Comment.Status.SPAM and comment.held_reason in BY_RULE
    if comment.status not in (Comment.Status.APPROVED, Comment.Status.PENDING) and not by_rule:
        anchor = "#comments"  # spam and trash: nothing to show, and nothing to tell a bot
    if anchor == "#comments":
        url = article.get_absolute_url() + anchor
    else:  # the page of a long thread that shows it (its author's preview shows it there)
        url = paging.new_comment_url(comment, policy)
    response = HttpResponseRedirect(url)
    if comment.status == Comment.Status.PENDING or by_rule:  # blocked: told the same
        preview.remember_pending(request, response, comment)
    if user is None:
        preview.update_author_cookies(request, response, data)
    return response


class CommentPageView(ArticleView):
    """`/<article path>/comments/<n>/`: the article with page n of its comments
    (`comments.paging`). Its own canonical URL, cached and shared like the article page
    (`articles.pagecache`, the same versions); page 1 is the article's own URL (301 to
    it), a page past the last is a 404."""

    def canonical_path(self):
        return paging.page_path(self.object.get_absolute_url(), self.kwargs["number"])

    def get_context_data(self, **kwargs):
        number = self.kwargs["number"]
        thread = thread_for(self.request, self.object, number)
        if not thread.exists():
            raise Http404("No such page of comments.")
        return super().get_context_data(
            comment_thread=thread, subpage_title=f"Comments, page {number}", **kwargs
        )


def comment_page(request, path, number):
    _prefix, _sep, slug = path.rpartition("/")
    return CommentPageView.as_view()(request, slug=slug, number=number)


def _private_page(request, template, context, status=200):
    response = render(request, template, context, status=status)
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# The link is the credential: a cross-site post cannot know it, and the Origin is checked
# as for a new comment; no cookie is needed (or set) to edit.
@csrf_exempt
def comment_status(request, token):
    """/comment-status/<signed id + secret>/: the author's private page about their comment
    (`comments.authoring`): its status, its text, and the edit form while the policy's
    window is open. POST: an edit (then PRG back here)."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        comment = authoring.comment_for(token)
    except authoring.LinkExpired:
        return _private_page(
            request,
            "comments/status_expired.html",
            {"days": authoring.LINK_DAYS},
            status=410,
        )
    except authoring.LinkInvalid:
        raise Http404("No such comment.") from None
    policy = policies.current()
    status, message, form = 200, "", None
    if request.method == "POST":
        try:
            refuse_file_parts(request)
        except FilePartRefused:
            return _refused(request, comment.article, FILES, keep_text=False, status=400)
        if "confirm_address" in request.POST:  # its own button: not an edit
            if not same_origin(request):
                return _refused(request, comment.article, FORGED, keep_text=False)
            asked = controls.ask_to_confirm(comment, client_ip(request))
            return HttpResponseRedirect(request.path + f"?address={asked}#address")
        form = CommentEditForm(request.POST)
        if not same_origin(request):
            status, message = 403, FORGED
        elif not form.is_valid():
            status = 400
        else:
            try:
                authoring.edit(
                    comment, form.cleaned_data["comment"], ip=client_ip(request), policy=policy
                )
            except authoring.EditRefused as exc:
                status, message = exc.http_status, str(exc)
            else:
                return HttpResponseRedirect(request.path + "?edited=1#your-comment")
    editable = authoring.can_edit(comment, policy)
    if form is None and editable:
        form = CommentEditForm(initial={"comment": comment.body})
    context = {
        "comment": comment,
        "article": comment.article,
        "outcome": authoring.outcome(comment),
        "editable": editable,
        "minutes_left": authoring.minutes_left(comment, policy),
        "edit_minutes": policy.edit_minutes,
        "form": form,
        "message": message,
        "edited": request.GET.get("edited") == "1" and status == 200,
        "typical_wait": waiting.said(policy),
        "address": commenters.confirmation(comment.author_email).state,
        "address_asked": request.GET.get("address", ""),
        "link_days": authoring.LINK_DAYS,
        "expires_at": comment.created_at + timedelta(days=authoring.LINK_DAYS),
        "statement": reports.statement(comment),
    }
    return _private_page(request, "comments/status.html", context, status=status)


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


# A small form page of its own (no JavaScript needed); a link per published comment leads
# here, so the shared article page stays the same for everyone. The page sets no cookie;
# the POST is checked by its Origin, as a new comment is.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def report_comment(request, pk):
    """/comments/<id>/report/: a reader reports a published comment (404 for any other)."""
    comment = get_object_or_404(reports.reportable().select_related("article__category"), pk=pk)
    status, message = 200, ""
    form = ReportForm()
    if request.method == "POST":
        try:
            refuse_file_parts(request)
        except FilePartRefused:
            return _refused(request, comment.article, FILES, keep_text=False, status=400)
        form = ReportForm(request.POST)
        if not same_origin(request):
            status, message = 403, FORGED
        elif not form.is_valid():
            status = 400
        else:
            data = form.cleaned_data
            try:
                reports.file_report(
                    comment,
                    ground=data["ground"],
                    law=data["law"],
                    explanation=data["explanation"],
                    email=data["email"],
                    ip=client_ip(request),
                )
            except reports.Refused as exc:
                status, message = exc.http_status, str(exc)
            else:
                return render(request, "comments/report_sent.html", {"comment": comment})
    context = {"comment": comment, "article": comment.article, "form": form, "message": message}
    response = render(request, "comments/report.html", context, status=status)
    response["X-Robots-Tag"] = "noindex"
    return response


def transparency(request):
    """/transparency/: readers' reports per month, by reason, the decisions and the median
    time to a decision, from the monthly totals (`comments.reports.monthly`): deleting
    old comments never changes a past month. Cached and shared like the other pages."""
    rows = [{**row, "median": waiting.in_words(row["median_seconds"])} for row in reports.monthly()]
    context = {
        "rows": rows,
        "grounds": [label for _value, label in Report.Ground.choices],
        "reports_to_hold": policies.current().reports_to_hold,
    }
    return render(request, "transparency.html", context)
