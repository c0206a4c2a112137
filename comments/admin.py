"""The moderators' queue and the comment's page, on Django's admin.

The admin stays thin: what an action does is `moderation.ACTIONS` / `moderate`, the
re-check `pipeline.check_again` (with `throttle`), the reply `pipeline.staff_reply`,
deletion `CommentQuerySet.delete_permanently`. Nothing here assigns a status. Views that
change anything answer POST only; a GET (a link in a mail) asks for confirmation.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.timesince import timesince
from django.utils.translation import ngettext

from comments import moderation, pipeline, spam, text, throttle
from comments.http import client_ip
from comments.models import Comment, CommentEvent, ModerationPolicy
from comments.moderation import ACTIONS, TransitionError

S = Comment.Status
V = Comment.Verdict
CHECK = "Check again with Akismet"
DELETE = "Delete permanently"
EXCERPT = 300


@admin.register(ModerationPolicy)
class ModerationPolicyAdmin(admin.ModelAdmin):
    """One row, edited like WordPress's Discussion settings page."""

    fieldsets = [
        ("Before a comment appears", {"fields": ["manual_approval", "auto_approve_known_authors"]}),
        ("Hold or refuse", {"fields": ["link_limit", "moderation_words", "disallowed_words"]}),
        ("Discussion", {"fields": ["close_after_days", "flood_interval", "thread_depth"]}),
        ("Email", {"fields": ["notify_moderators", "daily_digest"]}),
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        ModerationPolicy.objects.get_or_create(pk=1)
        return redirect(reverse("admin:comments_moderationpolicy_change", args=[1]))


class StatusFilter(admin.SimpleListFilter):
    """Pending (the default), Approved, Spam, Blatant spam, Trash, All — with counts from
    one grouped query. Blatant (discard) spam is kept out of the Spam view."""

    title = "status"
    parameter_name = "status"
    VIEWS = [
        ("pending", "Pending"),
        ("approved", "Approved"),
        ("spam", "Spam"),
        ("discard", "Blatant spam"),
        ("trash", "Trash"),
        ("all", "All"),
    ]

    def lookups(self, request, model_admin):
        counts = Comment.objects.status_counts()
        counts["all"] = sum(counts[s] for s in S.values) + counts["discard"]
        return [(key, f"{label} ({counts[key]})") for key, label in self.VIEWS]

    def value(self):
        value = super().value()
        return value if value in dict(self.VIEWS) else "pending"

    def queryset(self, request, queryset):
        view = self.value()
        if view == "all":
            return queryset
        if view == "discard":
            return queryset.filter(status=S.SPAM, verdict=V.DISCARD)
        if view == "spam":
            return queryset.filter(status=S.SPAM).exclude(verdict=V.DISCARD)
        return queryset.filter(status=view)

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


class ArticleFilter(admin.SimpleListFilter):
    """The articles with the most recent comments (and the one chosen), with how many
    comments each has waiting: one query."""

    title = "article"
    parameter_name = "article"
    SHOWN = 15

    def lookups(self, request, model_admin):
        rows = (
            Comment.objects.values("article_id", "article__title")
            .annotate(
                last=models.Max("created_at"),
                waiting=models.Count("pk", filter=models.Q(status=S.PENDING)),
            )
            .order_by("-last")[: self.SHOWN]
        )
        choices = [
            (str(r["article_id"]), f"{r['article__title']} ({r['waiting']} pending)") for r in rows
        ]
        chosen = self.value()
        if chosen and chosen.isdigit() and chosen not in dict(choices):
            title = Comment.objects.filter(article_id=chosen).values_list(
                "article__title", flat=True
            )[:1]
            choices.extend((chosen, t) for t in title)
        return choices

    def queryset(self, request, queryset):
        chosen = self.value()
        if chosen and chosen.isdigit():
            return queryset.filter(article_id=chosen)
        return queryset


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_filter = [StatusFilter, "verdict", ArticleFilter]
    search_fields = ["body", "author_name", "author_email", "user_ip"]
    search_help_text = "Search the text, name, email or IP address."
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    list_max_show_all = 200
    show_full_result_count = False  # one count query per page, not two
    list_display_links = None  # the excerpt links to the comment's page itself
    actions_selection_counter = True
    show_facets = admin.ShowFacets.NEVER  # the status filter carries its own counts
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["author_name", "author_email", "author_url", "body"]}),
        (
            "Where and from whom",
            {
                "fields": [
                    "article_link",
                    "parent_link",
                    "user",
                    "user_ip",
                    "user_agent",
                    "referrer",
                ]
            },
        ),
        (
            "Moderation",
            {
                "classes": ["collapse"],
                "fields": [
                    "status",
                    "previous_status",
                    "held_reason",
                    "created_at",
                    "status_changed_at",
                    "moderated_by",
                    "moderated_at",
                    "notified_at",
                ],
            },
        ),
        (
            "Akismet",
            {
                "classes": ["collapse"],
                "fields": [
                    "verdict",
                    "checked_at",
                    "check_attempts",
                    "next_check_at",
                    "feedback_pending",
                    "akismet_guid",
                    "akismet_pro_tip",
                    "akismet_debug_help",
                    "akismet_payload",
                ],
            },
        ),
    ]
    readonly_fields = [
        "article_link",
        "parent_link",
        "user",
        "user_ip",
        "user_agent",
        "referrer",
        "status",
        "previous_status",
        "held_reason",
        "created_at",
        "status_changed_at",
        "moderated_by",
        "moderated_at",
        "notified_at",
        "verdict",
        "checked_at",
        "check_attempts",
        "next_check_at",
        "feedback_pending",
        "akismet_guid",
        "akismet_pro_tip",
        "akismet_debug_help",
        "akismet_payload",
    ]
    EDITABLE = ["author_name", "author_email", "author_url", "body"]

    # -- permissions -------------------------------------------------------------------

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def has_add_permission(self, request):
        return False  # comments come from readers; staff reply from a comment's page

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status in (S.SPAM, S.TRASH))

    # -- the queue -----------------------------------------------------------------------

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article__category", "parent")
            .with_author_approved_count()
        )

    def get_list_display(self, request):
        # Columns that need the request (the row buttons return to this very view).
        return ["author", self._comment_column(request), "article_column", "state", "submitted"]

    @admin.display(description="author", ordering="author_name")
    def author(self, obj):
        search = "?" + urlencode({"q": obj.user_ip, "status": "all"}) if obj.user_ip else ""
        return format_html(
            '<strong class="c-author"><bdi>{}</bdi></strong>'
            '<span class="c-email">{}</span>'
            '{}<span class="c-approved" title="approved comments from this email">{}</span>',
            obj.author_name,
            obj.author_email,
            format_html(
                '<a class="c-ip" href="{}" title="all comments from this IP">{}</a>',
                search,
                obj.user_ip,
            )
            if obj.user_ip
            else "",
            ngettext("%d approved", "%d approved", obj.author_approved) % obj.author_approved,
        )

    def _comment_column(self, request):
        can_moderate = self.has_moderate_permission(request)
        can_delete = self.has_delete_permission(request)
        back = request.get_full_path()
        preserved = urlencode({"_changelist_filters": request.GET.urlencode()})

        @admin.display(description="comment")
        def comment(obj):
            change = reverse("admin:comments_comment_change", args=[obj.pk])
            if request.GET:
                change += "?" + preserved
            buttons = []
            if can_moderate:
                buttons = [
                    (self._moderate_url(obj, name, back), ACTIONS[name][0], name)
                    for name in moderation.OFFERED[obj.status]
                ]
            if can_delete and obj.status in (S.SPAM, S.TRASH):
                buttons.append((self._moderate_url(obj, "delete", back), DELETE, "delete"))
            return format_html(
                '{}<a class="c-excerpt" href="{}">{}</a><div class="c-row-actions">{}'
                '<a class="c-open" href="{}">Open</a></div>',
                format_html(
                    '<span class="c-reply-to">In reply to {}.</span>', obj.parent.author_name
                )
                if obj.parent_id
                else "",
                change,
                excerpt(obj.body),
                format_html_join(
                    "",
                    '<button type="submit" formaction="{}" formmethod="post" '
                    'class="c-button c-button--{}">{}</button>',
                    ((url, name, label) for url, label, name in buttons),
                ),
                change,
            )

        return comment

    @admin.display(description="article", ordering="article__title")
    def article_column(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>'
            '<a class="c-filter" href="?{}" title="only comments on this article">only this</a>',
            obj.article.get_absolute_url(),
            obj.article.title,
            urlencode({"article": obj.article_id, "status": "all"}),
        )

    @admin.display(description="status")
    def state(self, obj):
        return format_html(
            '<span class="c-badge c-badge--{}">{}</span><br>'
            '<span class="c-badge c-badge--verdict-{}" title="Akismet verdict">Akismet: {}</span>'
            '<span class="c-reason">{}</span>',
            obj.status,
            obj.get_status_display(),
            obj.verdict,
            obj.verdict if obj.verdict != V.DISCARD else "discard",
            obj.held_reason,
        )

    @admin.display(description="submitted", ordering="created_at")
    def submitted(self, obj):
        return format_html(
            '<time datetime="{}" title="{}">{} ago</time>',
            obj.created_at.isoformat(),
            obj.created_at.strftime("%Y-%m-%d %H:%M"),
            timesince(obj.created_at).split(",")[0],
        )

    def changelist_view(self, request, extra_context=None):
        view = request.GET.get("status", "pending")
        label = dict(StatusFilter.VIEWS).get(view, "Pending")
        extra = {
            "title": f"Comments: {label.lower()}",
            "status_view": view,
            "can_empty": self.has_delete_permission(request),
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    # -- bulk actions -------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by "Delete permanently"
        return actions

    def report(self, request, label, changed, skipped, conflicts):
        level = messages.SUCCESS if changed else messages.WARNING
        note = f"{label}: {n_comments(changed)}."
        if skipped:
            note += f" {skipped} left as they were (the action does not apply to them)."
        if conflicts:
            note += f" {conflicts} changed by someone else meanwhile; not touched."
        self.message_user(request, note, level)

    def _bulk(self, request, queryset, action):
        comments = queryset.select_related("article__category", "user").order_by()
        counts = moderation.moderate_many(comments, action, request.user)
        self.report(request, ACTIONS[action][0], *counts)

    @admin.action(description=ACTIONS["approve"][0], permissions=["moderate"])
    def approve(self, request, queryset):
        self._bulk(request, queryset, "approve")

    @admin.action(description=ACTIONS["unapprove"][0], permissions=["moderate"])
    def unapprove(self, request, queryset):
        self._bulk(request, queryset, "unapprove")

    @admin.action(description=ACTIONS["spam"][0], permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._bulk(request, queryset, "spam")

    @admin.action(description=ACTIONS["not_spam"][0], permissions=["moderate"])
    def not_spam(self, request, queryset):
        self._bulk(request, queryset, "not_spam")

    @admin.action(description=ACTIONS["trash"][0], permissions=["moderate"])
    def trash(self, request, queryset):
        self._bulk(request, queryset, "trash")

    @admin.action(description=ACTIONS["restore"][0], permissions=["moderate"])
    def restore(self, request, queryset):
        self._bulk(request, queryset, "restore")

    @admin.action(description=DELETE, permissions=["delete"])
    def delete_permanently(self, request, queryset):
        total = queryset.count()
        deleted = queryset.delete_permanently()
        note = f"Deleted {n_comments(deleted)} permanently."
        if total - deleted:
            note += f" {total - deleted} kept: only spam and trash can be deleted."
        self.message_user(request, note, messages.SUCCESS if deleted else messages.WARNING)

    @admin.action(description=CHECK, permissions=["moderate"])
    def check_again(self, request, queryset):
        self.recheck(request, list(queryset.filter(status=S.PENDING)))

    actions = [
        "approve",
        "unapprove",
        "mark_spam",
        "not_spam",
        "trash",
        "restore",
        "delete_permanently",
        "check_again",
    ]

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
                "<int:pk>/moderate/<str:action>/",
                wrap(self.moderate_view),
                name="comments_comment_moderate",
            ),
            path("<int:pk>/reply/", wrap(self.reply_view), name="comments_comment_reply"),
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

    # -- the comment's page ----------------------------------------------------------------

    @admin.display(description="article")
    def article_link(self, obj):
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url() if obj.status == S.APPROVED else obj.article.get_absolute_url(),
            obj.article.title,
        )

    @admin.display(description="in reply to")
    def parent_link(self, obj):
        if not obj.parent_id:
            return "—"
        return format_html(
            '<a href="{}">{}: {}</a>',
            reverse("admin:comments_comment_change", args=[obj.parent_id]),
            obj.parent.author_name,
            excerpt(obj.parent.body, 80),
        )

    def delete_model(self, request, obj):
        Comment.objects.filter(pk=obj.pk).delete_permanently()

    def get_readonly_fields(self, request, obj=None):
        if self.has_moderate_permission(request):
            return self.readonly_fields
        return [*self.EDITABLE, *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        """Record edits of the name, email, website or text in the history (the values
        before are kept there). The stored Akismet payload stays the original: feedback
        must describe what Akismet judged. A moderator can re-check after editing; that
        check is sent with `recheck_reason=edit`."""
        edited = [f for f in self.EDITABLE if f in form.changed_data]
        super().save_model(request, obj, form, change)
        if change and edited:
            CommentEvent.objects.create(
                comment=obj,
                kind=CommentEvent.Kind.EDIT,
                actor=request.user,
                details={
                    "fields": [str(Comment._meta.get_field(f).verbose_name) for f in edited],
                    "before": {f: form.initial.get(f) for f in edited},
                },
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = (
            Comment.objects.select_related("article__category", "parent", "user")
            .filter(pk=object_id)
            .first()
        )
        extra = {}
        if comment is not None:
            back = reverse("admin:comments_comment_change", args=[comment.pk])
            can_moderate = self.has_moderate_permission(request)
            actions = (
                [
                    (self._moderate_url(comment, name, back), ACTIONS[name][0], name)
                    for name in moderation.applicable(comment)
                ]
                if can_moderate
                else []
            )
            if can_moderate and comment.status == S.PENDING and spam.is_configured():
                actions.append((self._moderate_url(comment, "check", back), CHECK, "check"))
            others = (
                Comment.objects.filter(author_email=comment.author_email)
                .exclude(pk=comment.pk)
                .select_related("article")
                .order_by("-created_at")
            )
            extra = {
                "title": f"Comment by {comment.author_name}",
                "comment": comment,
                "rendered": text.render(comment.body),
                "moderation_actions": actions,
                "history": comment.history.select_related("actor"),
                "others": others[:10],
                "others_counts": others.status_counts(),
                "can_reply": can_moderate and comment.status in (S.PENDING, S.APPROVED),
                "reply_url": reverse("admin:comments_comment_reply", args=[comment.pk]),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})


def n_comments(n):
    return ngettext("%d comment", "%d comments", n) % n


def excerpt(body, limit=EXCERPT):
    """The start of a comment on one line."""
    flat = " ".join(body.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
