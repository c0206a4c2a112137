"""The queue's filters: status (with counts, Pending by default) and article; and the
change list that checks the other lookups a query string may carry."""

from django.contrib import admin
from django.db import models
from django.db.models.functions import Coalesce

from articles.models import Article
from articles.params import parse_id
from comments.counts import status_counts
from comments.models import Comment

S = Comment.Status
V = Comment.Verdict


class StatusFilter(admin.SimpleListFilter):
    """Pending (the default), Approved, Spam, Blatant spam, Trash, All — with counts from
    one grouped query, or estimates on a large table (comments.counts; Pending exact).
    Blatant (discard) spam is kept out of the Spam view."""

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
        counts, estimated = status_counts(request)

        def shown(key):
            if estimated and key != S.PENDING:
                return f"about {counts[key]:,}"
            return counts[key]

        return [(key, f"{label} ({shown(key)})") for key, label in self.VIEWS]

    def value(self):
        return self.view_of(super().value())

    @classmethod
    def view_of(cls, value):
        """The view a value of `status` shows (an unknown one shows Pending)."""
        return value if value in dict(cls.VIEWS) else "pending"

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
    RECENT = 1000

    def lookups(self, request, model_admin):
        # The articles among the latest RECENT comments (an index read, not every comment),
        # each article once. An article with a comment among them has its newest comment
        # among them too, so its latest is one entry of its (article, created_at) index;
        # its pending count a subquery on its (article, status) index. Both are asked per
        # article, not per comment (grouping the comments asked them for each of the
        # RECENT: 1,000 subqueries for 15 articles).
        latest = Comment.objects.order_by("-created_at").values("article_id")[: self.RECENT]
        last = (
            Comment.objects.filter(article_id=models.OuterRef("pk"))
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        waiting = (
            Comment.objects.filter(article_id=models.OuterRef("pk"), status=S.PENDING)
            .order_by()
            .values("article_id")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        rows = (
            Article.objects.filter(pk__in=latest)
            .annotate(last=models.Subquery(last), waiting=Coalesce(models.Subquery(waiting), 0))
            .order_by("-last")
            .values("pk", "title", "waiting")[: self.SHOWN]
        )
        choices = [(str(r["pk"]), f"{r['title']} ({r['waiting']} pending)") for r in rows]
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
