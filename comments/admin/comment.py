"""The queue (`/admin/comments/comment/`) and the comment's page."""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models.functions import Lower
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.timesince import timesince
from django.utils.translation import ngettext

from articles.adminlist import ForgivingChangeList
from articles.params import SelectedIds, parse_id
from comments import moderation, pipeline, privacy
from comments.actions import (
    ACTIONS,
    ALL,
    DecidedMeanwhile,
    DoesNotApply,
    ReasonRefused,
    decide,
    key_help,
    keyed,
    moderator_reason,
    n_comments,
    page_buttons,
    reason_choices,
    row_buttons,
)
from comments.admin.commenters import commenter_url
from comments.admin.filters import ArticleFilter, StatusFilter
from comments.counts import pending_count
from comments.http import client_ip
from comments.models import Comment, CommentEvent
from comments.moderation import TransitionError
from comments.reasons import NOTE_MAX

S = Comment.Status
V = Comment.Verdict
EXCERPT = 300
EMAIL_ADDRESS = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
EDITABLE = ["author_name", "author_email", "author_url", "body"]


def excerpt(body, limit=EXCERPT):
    """The start of a comment on one line."""
    flat = " ".join(body.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class ReasonFields(forms.Form):
    """The optional reason for Unapprove, Spam and Trash (the reader sees it on their
    comment's status page). Checked by `actions.moderator_reason`, which says what is wrong
    (a choice field would only make the admin say "No action selected")."""

    reason = forms.CharField(
        label="Reason (Unapprove, Spam, Trash)",
        required=False,
        widget=forms.Select(choices=[("", "— no reason —"), *reason_choices()]),
    )
    reason_note = forms.CharField(
        label="Note for the author",
        required=False,
        widget=forms.TextInput(attrs={"maxlength": NOTE_MAX, "size": 24}),
    )


class ModerationActionForm(ReasonFields, ActionForm):
    """The queue's action bar: the action, and the reason the row buttons send too."""


def _plain_pending_view(request):
    """Whether the change list shows every pending comment: the Pending view (the default),
    neither searched nor filtered further (a page number or an order changes no count)."""
    params = request.GET
    if set(params) - {"status", "p", "o", "q"} or params.get("q"):
        return False
    return StatusFilter.view_of(params.get("status")) == "pending"


def _why(model_admin, request):
    """The moderator's reason from the POST, or None (said to them) when it is refused."""
    try:
        return moderator_reason(request.POST)
    except ReasonRefused as exc:
        model_admin.message_user(request, f"Nothing changed: {exc}", messages.ERROR)
        return None


def bulk_action(action):
    """`action` as one of the queue's bulk actions (named as it always was)."""

    def run(model_admin, request, queryset):
        why = _why(model_admin, request) if action.asks_reason else ("", None)
        if why is None:
            return
        comments = queryset.select_related("article__category", "user").order_by()
        for level, note in action.execute(comments, request.user, why):
            model_admin.message_user(request, note, level)

    run.__name__ = action.bulk_name
    return admin.action(description=action.label, permissions=[action.admin_permission])(run)


@admin.register(Comment)
class CommentAdmin(SelectedIds, admin.ModelAdmin):
    list_filter = [StatusFilter, "verdict", ArticleFilter]
    search_fields = ["body", "author_name", "author_email", "user_ip"]
    search_help_text = (
        "Search the text, name, email or IP address; an email address alone finds that "
        "author's comments."
    )
    ordering = ["-created_at", "-pk"]
    list_per_page = 50
    action_form = ModerationActionForm
    list_max_show_all = 200
    show_full_result_count = False  # one count query per page, not two
    list_display_links = None  # the excerpt links to the comment's page itself
    actions_selection_counter = True
    show_facets = admin.ShowFacets.NEVER  # the status filter carries its own counts
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": EDITABLE}),
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
                    "held_because",
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

    # -- permissions -------------------------------------------------------------------

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def has_add_permission(self, request):
        return False  # comments come from readers; staff reply from a comment's page

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or obj.status in (S.SPAM, S.TRASH))

    # -- the queue -----------------------------------------------------------------------

    def get_changelist(self, request, **kwargs):
        return ForgivingChangeList

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article__category", "parent")
            .with_author_approved_count()
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(
            request, queryset, per_page, orphans, allow_empty_first_page
        )
        if _plain_pending_view(request):
            # The view's count is the Pending count the header and the status filter show:
            # counted once for the request (`counts.pending_count`), not a third time.
            paginator.count = pending_count(request)
        return paginator

    def get_search_results(self, request, queryset, search_term):
        # A NUL byte cannot be in the text searched (PostgreSQL refuses it in a query).
        term = search_term.replace("\x00", " ")
        if EMAIL_ADDRESS.fullmatch(term.strip()):
            # One address: that author's comments, on the lower-cased address's index
            # (a search of every comment's text would read them all).
            email = Lower("author_email")
            return queryset.alias(email=email).filter(email=term.strip().lower()), False
        return super().get_search_results(request, queryset, term)

    def get_list_display(self, request):
        # Columns that need the request (the row buttons return to this very view).
        return ["author", self._comment_column(request), "article_column", "state", "submitted"]

    @admin.display(description="author", ordering="author_name")
    def author(self, obj):
        search = "?" + urlencode({"q": obj.user_ip, "status": "all"}) if obj.user_ip else ""
        return format_html(
            '<strong class="c-author"><bdi>{}</bdi></strong>'
            '<span class="c-email">{}</span>'
            '{}<span class="c-approved" title="approved comments from this email">{}</span>'
            '<a class="c-person" href="{}" title="everything about this commenter">'
            "commenter page</a>",
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
            commenter_url(obj.author_email),
        )

    def _comment_column(self, request):
        back = request.get_full_path()
        preserved = urlencode({"_changelist_filters": request.GET.urlencode()})

        @admin.display(description="comment")
        def comment(obj):
            change = reverse("admin:comments_comment_change", args=[obj.pk])
            if request.GET:
                change += "?" + preserved
            buttons = [
                (self._moderate_url(obj, a.name, back), a.label, a.name)
                for a in row_buttons(obj, request.user)
            ]
            keys = keyed(request.user, obj)
            return format_html(
                '{}<a class="c-excerpt" href="{}">{}</a>{}<div class="c-row-actions" '
                'data-comment="{}" data-status="{}" data-author="{}" data-keys="{}" '
                'data-decide="{}" data-article="?{}">{}'
                '<a class="c-open" href="{}">Open</a></div>',
                format_html(
                    '<span class="c-reply-to">In reply to {}.</span>', obj.parent.author_name
                )
                if obj.parent_id
                else "",
                change,
                excerpt(obj.body),
                format_html(
                    '<details class="c-more"><summary>Whole comment</summary>'
                    '<div class="c-full">{}</div></details>',
                    linebreaksbr(obj.body, autoescape=True),
                )
                if len(" ".join(obj.body.split())) > EXCERPT
                else "",
                obj.pk,
                obj.status,
                obj.author_name,
                " ".join(f"{key}:{name}" for key, name in keys.items()),
                reverse("admin:comments_comment_decide", args=[obj.pk, "_"]) if keys else "",
                urlencode({"article": obj.article_id, "status": "pending"}),
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
            obj.held_because,
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
            "keyboard_keys": key_help() if self.has_moderate_permission(request) else [],
            "undo_seconds": moderation.UNDO_SECONDS,
        }
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    # -- bulk actions -------------------------------------------------------------------

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by "Delete permanently"
        return actions

    @admin.action(
        description="Erase personal data of these commenters (all their comments)",
        permissions=["moderate"],
    )
    def erase_personal_data(self, request, queryset):
        emails = {e for e in queryset.values_list("author_email", flat=True) if e}
        erased = sum(privacy.erase(email, actor=request.user) for email in emails)
        self.message_user(
            request,
            f"Anonymised {n_comments(erased)} by {len(emails)} commenter(s).",
            messages.SUCCESS,
        )

    @admin.action(
        description="Export personal data of this commenter (JSON)", permissions=["moderate"]
    )
    def export_personal_data(self, request, queryset):
        emails = sorted({e for e in queryset.values_list("author_email", flat=True) if e})
        if len(emails) != 1:
            self.message_user(request, "Select comments by one commenter.", messages.WARNING)
            return None
        response = JsonResponse(privacy.export(emails[0]), json_dumps_params={"indent": 2})
        response["Content-Disposition"] = 'attachment; filename="commenter-data.json"'
        return response

    actions = [*map(bulk_action, ALL), "export_personal_data", "erase_personal_data"]

    # -- one comment: moderate, reply, empty ---------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<id:pk>/moderate/<str:action>/",
                wrap(self.moderate_view),
                name="comments_comment_moderate",
            ),
            path(
                "<id:pk>/decide/<str:action>/",
                wrap(self.decide_view),
                name="comments_comment_decide",
            ),
            path("<id:pk>/undo/<id:event>/", wrap(self.undo_view), name="comments_comment_undo"),
            path("<id:pk>/reply/", wrap(self.reply_view), name="comments_comment_reply"),
            path("empty/<str:status>/", wrap(self.empty_view), name="comments_comment_empty"),
            *super().get_urls(),
        ]

    @staticmethod
    def _moderate_url(obj, action, back=None):
        url = reverse("admin:comments_comment_moderate", args=[obj.pk, action])
        return url + ("?" + urlencode({"next": back}) if back else "")

    def _next(self, request, default):
        """Where to go back to: `next`, if it is a path on this site, else `default`."""
        target = request.POST.get("next") or request.GET.get("next") or ""
        if target.startswith("/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return default

    def moderate_view(self, request, pk, action):
        """POST: take `action` on one comment (row buttons, the comment's page, the
        confirmation page). GET: the confirmation page (the links in moderators' mail)."""
        comment = get_object_or_404(self.get_queryset(request).select_related("user"), pk=pk)
        action = ACTIONS.get(action)
        if action is None or not action.permitted(request.user, comment):
            raise PermissionDenied
        back = self._next(request, reverse("admin:comments_comment_changelist"))
        if request.method == "GET":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"{action.label}?",
                "comment": comment,
                "action_label": action.label,
                "applies": action.applies(comment),
                "reason_fields": ReasonFields() if action.asks_reason else None,
                "next": back,
            }
            return TemplateResponse(
                request, "admin/comments/comment/moderate_confirm.html", context
            )
        if request.method != "POST":
            return HttpResponseNotAllowed(["GET", "POST"])
        why = _why(self, request) if action.asks_reason else ("", None)
        if why is None:
            return redirect(back)
        for level, note in action.execute(comment, request.user, why):
            self.message_user(request, note, level)
        if action.leaves_nothing and back.startswith(
            reverse("admin:comments_comment_change", args=[pk])
        ):
            back = reverse("admin:comments_comment_changelist")
        return redirect(back)

    def decide_view(self, request, pk, action):
        """POST, from the queue's keyboard script: take `action` on one comment and answer
        in JSON, with the address that undoes it for `moderation.UNDO_SECONDS`. `seen`: the
        status the moderator saw; if it changed meanwhile, nothing is overwritten (409)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        action = ACTIONS.get(action)
        if action is None or not action.key or not action.permitted(request.user, comment):
            raise PermissionDenied
        try:
            why = moderator_reason(request.POST)
            event = decide(action, comment, request.user, why, request.POST.get("seen", ""))
        except DecidedMeanwhile as exc:
            return JsonResponse({"error": str(exc), "status": comment.status}, status=409)
        except (DoesNotApply, ReasonRefused) as exc:
            return JsonResponse({"error": f"Nothing changed: {exc}"}, status=400)
        status = comment.get_status_display().lower()
        return JsonResponse(
            {
                "status": comment.status,
                "message": f"{action.label}: the comment by {comment.author_name} is now {status}.",
                "undo": reverse("admin:comments_comment_undo", args=[comment.pk, event.pk]),
                "undo_seconds": moderation.UNDO_SECONDS,
            }
        )

    def undo_view(self, request, pk, event):
        """POST: take back one's own decision on comment `pk` (status event `event`) within
        the undo window (`moderation.undo`). JSON for the script; without it (a form), a
        message and back to `next`."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(Comment.objects.select_related("article"), pk=pk)
        wants_json = "application/json" in request.headers.get("Accept", "")
        try:
            moderation.undo(comment, event, request.user)
        except moderation.UndoRefused as exc:
            if wants_json:
                return JsonResponse({"error": str(exc), "status": comment.status}, status=409)
            self.message_user(request, str(exc), messages.ERROR)
        else:
            status = comment.get_status_display().lower()
            note = f"Undone: the comment by {comment.author_name} is {status} again."
            if wants_json:
                return JsonResponse({"status": comment.status, "message": note})
            self.message_user(request, note, messages.SUCCESS)
        return redirect(self._next(request, reverse("admin:comments_comment_changelist")))

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
        """Every field shown is read-only, except the reader's own words for moderators."""
        shown = flatten_fieldsets(self.fieldsets)
        if self.has_moderate_permission(request):
            return [f for f in shown if f not in EDITABLE]
        return shown

    def save_model(self, request, obj, form, change):
        """Record edits of the name, email, website or text in the history (the values
        before are kept there). The stored Akismet payload stays the original: feedback
        must describe what Akismet judged. A moderator can re-check after editing; that
        check is sent with `recheck_reason=edit`."""
        edited = [f for f in EDITABLE if f in form.changed_data]
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
        # A malformed id finds nothing here; Django's own view then redirects to the list
        # saying the comment does not exist, as for any unknown id.
        pk = parse_id(unquote(object_id))
        comment = (
            Comment.objects.select_related("article__category", "parent", "user")
            .filter(pk=pk)
            .first()
            if pk
            else None
        )
        extra = {}
        if comment is not None:
            back = reverse("admin:comments_comment_change", args=[comment.pk])
            can_moderate = self.has_moderate_permission(request)
            buttons = [
                (self._moderate_url(comment, a.name, back), a.label, a.name)
                for a in page_buttons(comment, request.user)
            ]
            others = (
                Comment.objects.filter(author_email=comment.author_email)
                .exclude(pk=comment.pk)
                .select_related("article")
                .order_by("-created_at")
            )
            extra = {
                "title": f"Comment by {comment.author_name}",
                "comment": comment,
                "moderation_actions": buttons,
                "reason_fields": ReasonFields(auto_id="c-%s")
                if any(ACTIONS[name].asks_reason for _url, _label, name in buttons)
                else None,
                "history": comment.history.select_related("actor"),
                "others": others[:10],
                "others_counts": others.status_counts(),
                "can_reply": can_moderate and comment.status in (S.PENDING, S.APPROVED),
                "reply_url": reverse("admin:comments_comment_reply", args=[comment.pk]),
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})
