"""Controls per commenter: the commenter page (one address: its comments, counts, trust
level, confirmation; set a level or ban from it), the trust levels set by moderators, and
blocks. Thin: the rules are `comments.commenters` and `comments.blocks`."""

from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.validators import validate_email
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from comments import blocks, commenters, controls
from comments.models import Block, Commenter

PER_PAGE = 50


def commenter_url(email):
    """The commenter page of `email` (any case)."""
    query = urlencode({"email": commenters.normalise(email)})
    return reverse("admin:comments_commenter_person") + "?" + query


class LevelForm(forms.Form):
    """What a moderator sets for one address from its page."""

    level = forms.ChoiceField(
        label="Trust level",
        choices=[("", "New / known (computed)"), *Commenter.Level.choices],
        required=False,
    )
    reason = forms.CharField(label="Reason", max_length=300, required=False)
    hide_published = forms.BooleanField(
        label="Also move their published comments out of sight (reversible: lifting the "
        "ban shows them again)",
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("level") == Commenter.Level.BANNED and not data.get("reason"):
            self.add_error("reason", "Say why: the reason is kept with the ban.")
        if data.get("hide_published") and data.get("level") != Commenter.Level.BANNED:
            self.add_error("hide_published", "Only a ban hides published comments.")
        return data


class CommenterForm(forms.ModelForm):
    hide_published = LevelForm.base_fields["hide_published"]

    class Meta:
        model = Commenter
        fields = ["email", "level", "reason"]

    def clean_email(self):
        return commenters.normalise(self.cleaned_data["email"])


@admin.register(Commenter)
class CommenterAdmin(admin.ModelAdmin):
    """The levels moderators set (trusted, always premoderate, banned), and the commenter
    page of any address."""

    form = CommenterForm
    list_display = ["person", "level", "reason", "set_by", "set_at"]
    list_filter = ["level"]
    search_fields = ["email"]
    list_select_related = ["set_by"]
    readonly_fields = ["set_by", "set_at"]

    @admin.display(description="commenter", ordering="email")
    def person(self, obj):
        return format_html('<a href="{}">{}</a>', commenter_url(obj.email), obj.email)

    def has_moderate_permission(self, request):
        return request.user.has_perm("comments.moderate_comment")

    def save_model(self, request, obj, form, change):
        # Through the service: a ban's hiding, a lifted ban's showing again.
        if change and "email" in form.changed_data:
            controls.set_level(form.initial["email"], "", by=request.user)
        saved = controls.set_level(
            obj.email,
            obj.level,
            by=request.user,
            reason=obj.reason,
            hide_published=form.cleaned_data.get("hide_published", False),
        )
        obj.pk, obj.set_by, obj.set_at = saved.pk, saved.set_by, saved.set_at

    def delete_model(self, request, obj):
        controls.set_level(obj.email, "", by=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            controls.set_level(obj.email, "", by=request.user)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("person/", wrap(self.person_view), name="comments_commenter_person"),
            *super().get_urls(),
        ]

    def person_view(self, request):
        """/admin/comments/commenter/person/?email=…: one commenter, for moderators."""
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        email = commenters.normalise(request.GET.get("email", ""))
        try:
            validate_email(email)
        except ValidationError:
            messages.error(
                request, "That is not an e-mail address; pick a commenter from the queue."
            )
            return HttpResponseRedirect(reverse("admin:comments_comment_changelist"))
        profile = commenters.profile(email)
        if request.method == "POST":
            form = LevelForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                controls.set_level(
                    email,
                    data["level"],
                    by=request.user,
                    reason=data["reason"],
                    hide_published=data["hide_published"],
                )
                messages.success(request, self._said(profile, data))
                return HttpResponseRedirect(commenter_url(email))
        else:
            rec = profile.record
            form = LevelForm(
                initial={"level": rec.level if rec else "", "reason": rec.reason if rec else ""}
            )
        page = Paginator(
            commenters.of(email).select_related("article").order_by("-created_at", "-pk"),
            PER_PAGE,
        ).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Commenter {email}",
            "profile": profile,
            "form": form,
            "page": page,
            "page_links": [
                (n, commenter_url(email) + f"&page={n}")
                for n in page.paginator.get_elided_page_range(page.number)
                if isinstance(n, int)
            ],
            "queue_url": reverse("admin:comments_comment_changelist")
            + "?"
            + urlencode({"q": email, "status": "all"}),
        }
        return TemplateResponse(request, "admin/comments/commenter/person.html", context)

    @staticmethod
    def _said(profile, data):
        level = data["level"]
        if level == Commenter.Level.BANNED:
            hidden = (
                f"; their {profile.counts['approved']} published comments are being moved "
                "out of sight"
                if data["hide_published"] and profile.counts["approved"]
                else ""
            )
            return f"{profile.email} is banned{hidden}."
        if profile.level == Commenter.Level.BANNED and level != Commenter.Level.BANNED:
            return f"The ban of {profile.email} is lifted; what it hid is shown again."
        words = dict(Commenter.Level.choices).get(level, "new / known (computed)")
        return f"{profile.email}: {words}."


class BlockForm(forms.ModelForm):
    class Meta:
        model = Block
        fields = ["kind", "value", "reason", "expires_at"]

    def clean(self):
        data = super().clean()
        kind, value = data.get("kind"), data.get("value")
        if kind and value:
            try:
                data["value"], self.instance.first, self.instance.last = blocks.normalised(
                    kind, value
                )
            except ValidationError as exc:
                self.add_error("value", exc)
            else:
                taken = Block.objects.filter(kind=kind, value=data["value"])
                if taken.exclude(pk=self.instance.pk).exists():
                    self.add_error("value", f"{data['value']} is blocked already.")
        expires = data.get("expires_at")
        if expires and expires <= timezone.now():
            self.add_error("expires_at", "That time has passed; leave it empty for no expiry.")
        return data

    def validate_unique(self):
        pass  # said in clean(), on the normalised value


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    form = BlockForm
    list_display = ["kind", "value", "reason", "set", "expires_at", "in_force"]
    list_filter = ["kind"]
    search_fields = ["value", "reason"]
    list_select_related = ["set_by"]
    readonly_fields = ["set_by", "created_at"]

    @admin.display(description="set", ordering="created_at")
    def set(self, obj):
        who = obj.set_by.get_username() if obj.set_by else "someone since removed"
        return f"{who}, {timezone.localtime(obj.created_at):%d %b %Y}"

    @admin.display(description="in force", boolean=True)
    def in_force(self, obj):
        return obj.expires_at is None or obj.expires_at > timezone.now()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_by = request.user
        super().save_model(request, obj, form, change)
