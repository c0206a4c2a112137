"""Views for one comment: moderate (row buttons, the comment's page, links in mail),
reply, empty spam/trash; and the rate-limited "Check again with Akismet"."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import ngettext

from articles import params  # noqa: F401 (registers the <id:…> converter)
from comments import moderation, pipeline, spam, throttle
from comments.http import client_ip
from comments.models import Comment
from comments.moderation import ACTIONS, TransitionError

S = Comment.Status
CHECK = "Check again with Akismet"
DELETE = "Delete permanently"
EXCERPT = 300


class OneCommentViews:
    """Mixed into `CommentAdmin`: the admin URLs beyond Django's own."""

    def recheck(self, request, comments):
        """Check `comments` again, within the per-minute budget; say what happened."""
        if not spam.is_configured():
            self.message_user(
                request, "No Akismet key is configured: nothing can be checked.", messages.ERROR
            )
            return
        if not comments:
            self.message_user(request, "Only pending comments are checked again.", messages.WARNING)
            return
        granted = throttle.take_rechecks(len(comments))
        verdicts = {}
        for comment in comments[:granted]:
            verdict = pipeline.check_again(comment)
            verdicts[verdict] = verdicts.get(verdict, 0) + 1
        if granted:
            said = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
            self.message_user(
                request,
                f"Akismet checked {n_comments(granted)}: {said}.",
                messages.SUCCESS,
            )
        if granted < len(comments):
            self.message_user(
                request,
                f"{len(comments) - granted} not checked: at most "
                f"{throttle.RECHECKS_PER_MINUTE} checks a minute, to save the Akismet key's "
                "quota. Try again in a minute.",
                messages.WARNING,
            )

    # -- one comment: moderate, reply, empty ---------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<id:pk>/moderate/<str:action>/",
                wrap(self.moderate_view),
                name="comments_comment_moderate",
            ),
            path("<id:pk>/reply/", wrap(self.reply_view), name="comments_comment_reply"),
            path("empty/<str:status>/", wrap(self.empty_view), name="comments_comment_empty"),
            *super().get_urls(),
        ]

    @staticmethod
    def _moderate_url(obj, action, back=None):
        url = reverse("admin:comments_comment_moderate", args=[obj.pk, action])
        return url + ("?" + urlencode({"next": back}) if back else "")

    def _next(self, request, default):
        target = request.POST.get("next") or request.GET.get("next")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return default

    def moderate_view(self, request, pk, action):
        """POST: take `action` on one comment (row buttons, the comment's page, the
        confirmation page). GET: the confirmation page (the links in moderators' mail)."""
        comment = get_object_or_404(self.get_queryset(request).select_related("user"), pk=pk)
        if action == "delete":
            if not self.has_delete_permission(request, comment):
                raise PermissionDenied
            label = DELETE
        elif action == "check":
            label = CHECK
        elif action in ACTIONS:
            label = ACTIONS[action][0]
        else:
            raise PermissionDenied
        if action != "delete" and not self.has_moderate_permission(request):
            raise PermissionDenied
        queue = reverse("admin:comments_comment_changelist")
        if request.method == "GET":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"{label}?",
                "comment": comment,
                "action_label": label,
                "applies": action in ("delete", "check")
                or moderation.target_of(comment, action) is not None,
                "next": self._next(request, queue),
            }
            return TemplateResponse(
                request, "admin/comments/comment/moderate_confirm.html", context
            )
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "POST"])
        who = comment.author_name
        if action == "delete":
            comment_qs = Comment.objects.filter(pk=comment.pk)
            comment_qs.delete_permanently()
            self.message_user(request, f"Deleted the comment by {who} permanently.")
            target = self._next(request, queue)
            if target.startswith(reverse("admin:comments_comment_change", args=[pk])):
                target = queue
            return redirect(target)
        if action == "check":
            self.recheck(request, [comment] if comment.status == S.PENDING else [])
            return redirect(self._next(request, queue))
        try:
            changed = moderation.moderate(comment, action, request.user)
        except TransitionError:
            self.message_user(
                request, "Someone else changed this comment meanwhile; look again.", messages.ERROR
            )
        else:
            if changed:
                self.message_user(
                    request,
                    f"{label}: the comment by {who} is now {comment.get_status_display().lower()}.",
                )
            else:
                self.message_user(
                    request,
                    f"{label} does not apply: the comment by {who} is "
                    f"{comment.get_status_display().lower()}.",
                    messages.WARNING,
                )
        return redirect(self._next(request, queue))

    def reply_view(self, request, pk):
        """POST a staff reply under comment `pk` (approved, threaded, checked by Akismet)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        parent = get_object_or_404(Comment.objects.select_related("article__category"), pk=pk)
        change = reverse("admin:comments_comment_change", args=[pk])
        body = request.POST.get("body", "").strip()
        if not body:
            self.message_user(request, "Write something to reply.", messages.ERROR)
            return redirect(change)
        try:
            reply = pipeline.staff_reply(
                parent,
                request.user,
                body,
                user_ip=client_ip(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
                referrer=request.META.get("HTTP_REFERER", ""),
            )
        except (pipeline.ReplyRefused, TransitionError) as exc:
            self.message_user(request, f"Reply not posted: {exc}.", messages.ERROR)
            return redirect(change)
        self.message_user(
            request,
            format_html(
                'Your reply is published under the comment by {}. <a href="{}">See it</a>.',
                parent.author_name,
                reply.get_absolute_url(),
            ),
        )
        return redirect(change)

    def empty_view(self, request, status):
        """ "Empty spam" / "Empty trash": GET asks, POST deletes them all."""
        if status not in (S.SPAM, S.TRASH) or not self.has_delete_permission(request):
            raise PermissionDenied
        doomed = Comment.objects.filter(status=status)
        label = "Empty spam" if status == S.SPAM else "Empty trash"
        back = reverse("admin:comments_comment_changelist") + "?" + urlencode({"status": status})
        if request.method == "POST":
            deleted = doomed.delete_permanently()
            self.message_user(
                request,
                f"{label}: deleted {n_comments(deleted)} permanently.",
            )
            return redirect(back)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{label}?",
            "label": label,
            "count": doomed.count(),
            "status": status,
            "back": back,
        }
        return TemplateResponse(request, "admin/comments/comment/empty_confirm.html", context)


def n_comments(n):
    return ngettext("%d comment", "%d comments", n) % n


def excerpt(body, limit=EXCERPT):
    """The start of a comment on one line."""
    flat = " ".join(body.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
