from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from articles.models import Article, Category


def test_category_path_follows_the_parent_chain(make_category):
    """A category's stored path is its ancestors' slugs joined by slashes."""
    today = make_category("today")
    world = make_category("world", parent=today)
    europe = make_category("europe", parent=world)
    assert (today.path, world.path, europe.path) == ("today", "today/world", "today/world/europe")
    assert (today.depth, world.depth, europe.depth) == (0, 1, 2)
    assert europe.get_absolute_url() == "/today/world/europe/"


def test_trail_is_root_first_in_one_query(make_category, django_assert_num_queries):
    """The breadcrumb trail comes from the stored path in one query, whatever the depth."""
    a = make_category("a")
    b = make_category("b", parent=a)
    c = make_category("c", parent=b)
    d = make_category("d", parent=c)
    with django_assert_num_queries(1):
        trail = d.trail()
    assert [x.slug for x in trail] == ["a", "b", "c", "d"]


def test_moving_a_category_rewrites_the_subtree_and_leaves_redirects(make_category):
    """Moving a category (or changing its slug) updates every path below it, with 301s."""
    today = make_category("today")
    world = make_category("world", parent=today)
    europe = make_category("europe", parent=world)
    opinion = make_category("opinion")
    world.parent = opinion
    world.save()
    europe.refresh_from_db()
    assert europe.path == "opinion/world/europe"
    assert europe.depth == 2
    assert Redirect.objects.filter(old_path="/today/world/", new_path="/opinion/world/").exists()
    assert Redirect.objects.filter(
        old_path="/today/world/europe/", new_path="/opinion/world/europe/"
    ).exists()

    world.slug = "globe"
    world.save()
    europe.refresh_from_db()
    assert europe.path == "opinion/globe/europe"
    # The first redirect now points straight at the newest address: no chains.
    assert Redirect.objects.get(old_path="/today/world/").new_path == "/opinion/globe/"


def test_tree_order_follows_positions(make_category):
    """Categories sort as a tree: each parent before its children, siblings by position."""
    b = make_category("b", position=2)
    a = make_category("a", position=1)
    make_category("a2", parent=a, position=2)
    make_category("a1", parent=a, position=1)
    make_category("b1", parent=b)
    assert [c.slug for c in Category.objects.all()] == ["a", "a1", "a2", "b", "b1"]
    a.position = 3
    a.save()
    assert [c.slug for c in Category.objects.all()] == ["b", "b1", "a", "a1", "a2"]


def test_category_cannot_become_its_own_ancestor(make_category):
    """Placing a category under itself or its descendant is refused, with or without clean()."""
    today = make_category("today")
    world = make_category("world", parent=today)
    today.parent = world
    with pytest.raises(ValidationError) as exc:
        today.full_clean()
    assert "parent" in exc.value.message_dict
    with pytest.raises(ValidationError):
        today.save()
    today.refresh_from_db()
    assert today.parent is None


@pytest.mark.parametrize("slug", ["admin", "search", "feed", "static", "media", "privacy"])
def test_reserved_slugs_are_refused(db, slug):
    """Words used by fixed routes cannot be category slugs."""
    with pytest.raises(ValidationError) as exc:
        Category(name="X", slug=slug).full_clean()
    assert "fixed page" in str(exc.value)


def test_duplicate_path_is_refused_in_clean(make_category):
    today = make_category("today")
    make_category("world", parent=today)
    with pytest.raises(ValidationError) as exc:
        Category(name="World 2", slug="world", parent=today).full_clean()
    assert "/today/world/" in str(exc.value)


def test_deleting_a_category_with_articles_is_refused(make_article, world):
    make_article(category=world)
    with pytest.raises(ProtectedError):
        world.delete()


FROZEN = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@time_machine.travel(FROZEN, tick=False)
def test_published_is_the_boundary_of_visibility(make_article):
    """published(): status published and publish time not in the future (inclusive)."""
    past = make_article(published_at=FROZEN - timedelta(seconds=1))
    now = make_article(published_at=FROZEN)
    future = make_article(published_at=FROZEN + timedelta(seconds=1))
    draft = make_article(published_at=FROZEN - timedelta(days=1), status=Article.Status.DRAFT)
    visible = set(Article.objects.published())
    assert visible == {past, now}
    assert future.is_scheduled and not future.is_published
    assert not draft.is_published

    with time_machine.travel(FROZEN + timedelta(seconds=1), tick=False):
        assert set(Article.objects.published()) == {past, now, future}


def test_body_is_sanitised_on_save(make_article):
    """Unsafe HTML never reaches the database, even when saved outside the admin form."""
    article = make_article(
        body='<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '<img src="a.png" onerror="alert(1)"></p><h2>Sub</h2>'
    )
    article.refresh_from_db()
    assert "script" not in article.body
    assert "onclick" not in article.body
    assert "onerror" not in article.body
    assert "javascript:" not in article.body
    assert "<h2>Sub</h2>" in article.body


def test_changing_slug_or_category_leaves_a_301(make_article, make_category, client):
    """When an article's address changes, the old one answers 301 to the new one."""
    article = make_article(slug="old-slug")
    article.slug = "new-slug"
    article.save()
    response = client.get("/today/world/old-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/today/world/new-slug/"

    article.category = make_category("opinion")
    article.save()
    response = client.get("/today/world/old-slug/")
    assert response.status_code == 301
    assert response["Location"] == "/opinion/new-slug/"


def test_image_requires_alt_text(make_article):
    article = make_article()
    article.image = "articles/x.png"
    article.image_alt = "  "
    with pytest.raises(ValidationError) as exc:
        article.clean()
    assert "image_alt" in exc.value.message_dict


def test_siblings_with_the_same_position_each_keep_their_subtree_after_them(make_category):
    """Equal positions: every category is followed by its own children, whatever the
    collation, and a slug change moves its subtree with it."""
    roots = [make_category(slug) for slug in ("zeta", "alpha", "mid")]
    for root in roots:
        make_category(f"{root.slug}-child", parent=root)
        make_category(f"{root.slug}-other", parent=root)
    order = [c.path for c in Category.objects.all()]
    for root in roots:
        at = order.index(root.path)
        assert sorted(order[at + 1 : at + 3]) == [
            f"{root.slug}/{root.slug}-child",
            f"{root.slug}/{root.slug}-other",
        ]
    assert len({c.tree_order for c in Category.objects.all()}) == 9
    # Only digits and a-f: the same order under any collation.
    assert all(set(c.tree_order) <= set("0123456789abcdef") for c in Category.objects.all())
    roots[1].slug = "omega"
    roots[1].save()
    order = [c.path for c in Category.objects.all()]
    at = order.index("omega")
    assert sorted(order[at + 1 : at + 3]) == ["omega/alpha-child", "omega/alpha-other"]


def test_a_position_beyond_five_digits_is_refused_with_a_message(make_category):
    category = Category(name="Far", slug="far", position=100_000)
    with pytest.raises(ValidationError) as exc:
        category.full_clean()
    assert "position" in exc.value.message_dict
    # Saved without clean() (a script), it still sorts last among its siblings, never first.
    make_category("near", position=5)
    category.save()
    assert [c.slug for c in Category.objects.roots()] == ["near", "far"]
