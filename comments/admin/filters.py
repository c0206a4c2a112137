"""The queue's filters: status (with counts, Pending by default) and article; and the
change list that checks the other lookups a query string may carry."""

from django.contrib import admin
from django.db import models

from articles.params import parse_id
from comments.models import Comment

S = Comment.Status
V = Comment.Verdict


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
        chosen = parse_id(self.value())
        if chosen and str(chosen) not in dict(choices):
            title = Comment.objects.filter(article_id=chosen).values_list(
                "article__title", flat=True
            )[:1]
            choices.extend((str(chosen), t) for t in title)
        return choices

    def queryset(self, request, queryset):
        chosen = parse_id(self.value())
        if chosen:
            return queryset.filter(article_id=chosen)
        return queryset
