from django.conf import settings
from django.http import HttpResponsePermanentRedirect
from django.utils.cache import add_never_cache_headers
from django.views.generic import DetailView, ListView, TemplateView

from articles import seo
from articles.models import Article, Category


def can_preview(user):
    """Staff who may edit articles also see drafts and scheduled ones (the admin's preview)."""
    return user.is_authenticated and user.is_staff and user.has_perm("articles.change_article")


class VisibleArticlesMixin:
    """The published articles, or every article for staff previewing."""

    def get_queryset(self):
        if can_preview(self.request.user):
            return Article.objects.all()
        return Article.objects.published()


class FrontPageView(TemplateView):
    template_name = "articles/front.html"

    def get_context_data(self, **kwargs):
        published = Article.objects.published().for_listing()
        lead = published.featured_first().first()
        latest = published.latest_first()
        if lead:
            latest = latest.exclude(pk=lead.pk)
        return super().get_context_data(lead=lead, latest=latest[:20], **kwargs)


class CategoryView(ListView):
    template_name = "articles/category.html"
    paginate_by = settings.ARTICLES_PER_PAGE
    context_object_name = "articles"

    def get_queryset(self):
        self.category = self.kwargs["category"]
        return Article.objects.published().in_category(self.category).for_listing().latest_first()

    def get_context_data(self, **kwargs):
        trail = self.category.trail
        return super().get_context_data(
            category=self.category,
            trail=trail,
            breadcrumb_jsonld=seo.breadcrumb_list(self.request, trail),
            **kwargs,
        )


class ArticleView(VisibleArticlesMixin, DetailView):
    template_name = "articles/article.html"
    context_object_name = "article"

    def get_queryset(self):
        return super().get_queryset().select_related("category").prefetch_related("authors")

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        canonical = self.object.get_absolute_url()
        if request.path != canonical:
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{canonical}?{query}" if query else canonical)
        response = self.render_to_response(self.get_context_data(object=self.object))
        if not self.object.is_published:
            # A preview of a draft or a scheduled article: never stored by any cache.
            add_never_cache_headers(response)
        return response

    def get_context_data(self, **kwargs):
        article = self.object
        trail = article.category.trail
        return super().get_context_data(
            trail=trail,
            canonical_url=self.request.build_absolute_uri(article.get_absolute_url()),
            article_jsonld=seo.news_article(self.request, article, trail),
            breadcrumb_jsonld=seo.breadcrumb_list(self.request, trail, article),
            **kwargs,
        )


def page(request, path):
    """`/<category path>/` is a category; otherwise the last segment is an article slug."""
    category = Category.objects.filter(path=path).first()
    if category is not None:
        return CategoryView.as_view()(request, category=category)
    _prefix, _sep, slug = path.rpartition("/")
    return ArticleView.as_view()(request, slug=slug)
