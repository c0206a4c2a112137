from collections import defaultdict

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView, TemplateView

from articles import corrections, listing, rows, search, seo, tags
from articles.context_processors import navigation
from articles.models import Article, Correction, authors_prefetch, featured_key


def can_preview(user):
    """Staff who may edit articles also see drafts and scheduled ones (the admin's preview)."""
    return user.is_authenticated and user.is_staff and user.has_perm("articles.change_article")


def _trail(category, categories, context):
    """`category`'s trail, from `categories` when the path's one query read them
    (`rows.categories_for`; then the masthead's sections come from them too, put in
    `context`), else its own query."""
    trail = rows.trail(category, categories) if categories is not None else None
    if categories is not None:
        context["sections_nav"] = navigation(categories)
    return trail if trail is not None else category.trail()


class VisibleArticlesMixin:
    """The published articles, or every article for staff previewing."""

    def get_queryset(self):
        if can_preview(self.request.user):
            return Article.objects.all()
        return Article.objects.published()


class FrontPageView(TemplateView):
    """The lead story, the latest headlines, then each top-level section's leading articles.

    A fixed number of queries, however many sections and articles there are.
    """

    template_name = "articles/front.html"
    latest_count = rows.LATEST_COUNT
    section_size = 5

    def get_context_data(self, **kwargs):
        # The lead is the first of its section's leaders: one query finds both.
        leaders = rows.leaders(self.section_size + 1)
        lead = min(leaders, key=featured_key, default=None)
        by_section = defaultdict(list)
        for article in leaders:
            if article != lead and len(by_section[article.section]) < self.section_size:
                by_section[article.section].append(article)
        if lead and self.latest_count == rows.LATEST_COUNT:
            latest = rows.latest_but(lead.pk)
        else:
            latest = Article.objects.published().select_related("category")
            if lead:
                latest = latest.exclude(pk=lead.pk)
            latest = latest.latest_first()[: self.latest_count]
        sections_nav = navigation()
        sections = [(root, by_section[root.path]) for root in sections_nav if by_section[root.path]]
        return super().get_context_data(
            lead=lead,
            latest=latest,
            sections=sections,
            sections_nav=sections_nav,
            **kwargs,
        )


class CategoryView(ListView):
    template_name = "articles/category.html"
    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = listing.Paginator  # the newest ARTICLES_LISTING_LIMIT, counted flat
    context_object_name = "articles"

    def get_queryset(self):
        self.category = self.kwargs["category"]
        articles = Article.objects.published().in_category(self.category).for_listing()
        # Featured articles (1, 2, …) first, then the latest: the first one is the lead.
        return articles.featured_first()

    def get_context_data(self, **kwargs):
        trail = _trail(self.category, self.kwargs.get("categories"), kwargs)
        context = super().get_context_data(
            category=self.category,
            trail=trail,
            active_paths=[c.path for c in trail],
            breadcrumb_jsonld=seo.breadcrumb_list(self.request, trail),
            **kwargs,
        )
        articles = list(context["articles"])
        if context["page_obj"].number == 1 and articles:
            context["lead"], context["articles"] = articles[0], articles[1:]
        return context


class ArticleView(VisibleArticlesMixin, DetailView):
    template_name = "articles/article.html"
    context_object_name = "article"
    more_count = rows.MORE_COUNT

    def get_object(self, queryset=None):
        # A reader's article page (`page`, which read the path's categories): its queries
        # prepared once per process (`articles.rows`); previews and subclasses as before.
        if queryset is None and "categories" in self.kwargs and not can_preview(self.request.user):
            article = rows.published_article(self.kwargs["slug"])
            if article is None:
                raise Http404("No article found matching the query")
            return article
        return super().get_object(queryset)

    def get_queryset(self):
        # Whether it has corrections or updates: a subquery of the same query, so an
        # article without any costs no query for them.
        notes = Correction.objects.filter(article=OuterRef("pk"))
        return (
            super()
            .get_queryset()
            .select_related("category")
            .prefetch_related(authors_prefetch(), "tags")
            .annotate(has_notes=Exists(notes))
        )

    def canonical_path(self):
        """This page's one URL (a page of the article's comments has its own)."""
        return self.object.get_absolute_url()

    def notes(self):
        """The article's corrections and updates, oldest first (one query, none when the
        article's query found it has none)."""
        if getattr(self.object, "has_notes", True) is False:
            return []
        return list(self.object.corrections.all())

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.canonical_path()
        if request.path != canonical or "page" in request.GET:
            # An article has one page: `?page=` (which listings use) would only make copies
            # of it in the page cache, so it goes, like a moved article's old path.
            params = request.GET.copy()
            params.pop("page", None)
            query = params.urlencode()
            url = f"{canonical}?{query}" if query else canonical
            # Django refuses a redirect longer than 2,048 characters (a 400): drop the rest.
            return HttpResponsePermanentRedirect(url if len(url) <= 2048 else canonical)
        response = self.render_to_response(self.get_context_data(object=self.object))
        if not self.object.is_published:
            # A preview of a draft or a scheduled article: never stored by any cache.
            add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        article = self.object
        categories = self.kwargs.get("categories")
        trail = _trail(article.category, categories, kwargs)
        # "Related": the articles sharing the most tags; with none, more from the section.
        more = tags.related(article, article.tags.all(), self.more_count)
        more_related = bool(more)
        if not more and categories is not None and self.more_count == rows.MORE_COUNT:
            more = rows.more_from_section(article)
        elif not more:
            more = (
                Article.objects.published()
                .filter(category=article.category)
                .exclude(pk=article.pk)
                .select_related("category")
                .latest_first()[: self.more_count]
            )
        notes = self.notes()
        return super().get_context_data(
            corrections=notes,
            corrections_position=corrections.position(),
            trail=trail,
            active_paths=[c.path for c in trail],
            canonical_url=self.request.build_absolute_uri(self.canonical_path()),
            more=more,
            more_related=more_related,
            article_jsonld=seo.news_article(self.request, article, trail, notes),
            breadcrumb_jsonld=seo.breadcrumb_list(self.request, trail, article),
            **kwargs,
        )


def page(request, path):
    """`/<category path>/` is a category; otherwise the last segment is an article slug."""
    # One query for the path's category (if it is one), the trail and the masthead.
    categories = rows.categories_for(path)
    category = next((c for c in categories if c.path == path), None)
    if category is not None:
        return CategoryView.as_view()(request, category=category, categories=categories)
    _prefix, _sep, slug = path.rpartition("/")
    return ArticleView.as_view()(request, slug=slug, categories=categories)


class SearchView(ListView):
    """`/search/?q=`: published articles matching the words, best match first."""

    template_name = "articles/search.html"
    paginate_by = settings.ARTICLES_PER_PAGE
    paginator_class = search.Paginator
    context_object_name = "articles"
    max_query_length = 200

    def get_queryset(self):
        # No NUL bytes: PostgreSQL refuses them in text (a 500 otherwise).
        query = self.request.GET.get("q", "").replace("\x00", " ")
        self.query = " ".join(query.split())[: self.max_query_length]
        return Article.objects.published().search_results(self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, **kwargs)


def robots_txt(request):
    return render(
        request,
        "articles/robots.txt",
        {
            "sitemap_url": request.build_absolute_uri(reverse("sitemap")),
            "news_sitemap_url": request.build_absolute_uri(reverse("news-sitemap")),
        },
        content_type="text/plain; charset=utf-8",
    )
