from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, Category


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", verbosity=0)
    counts = (Category.objects.count(), Article.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Category.objects.count(), Article.objects.count()) == counts
    assert Category.objects.filter(path="today/world").exists()
    assert Category.objects.filter(path="today/business").exists()
    assert Category.objects.filter(path="opinion").exists()
    assert get_user_model().objects.get(username="editor").groups.filter(name="Editors").exists()


def test_seed_demo_articles_option(db):
    call_command("seed_demo", articles=30, verbosity=0)
    assert Article.objects.filter(slug__startswith="generated-").count() == 30
    call_command("seed_demo", articles=30, verbosity=0)
    assert Article.objects.filter(slug__startswith="generated-").count() == 30


def test_demo_login_prints_a_working_login(db, capsys, client):
    call_command("seed_demo", verbosity=0)
    call_command("demo_login")
    out = capsys.readouterr().out
    username, password = out.split("Login admin (superuser): ")[1].split()[0:3:2]
    # Through the admin's login form: django-axes (login throttling) needs the request.
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_demo_login_prints_a_writer_login_that_cannot_publish(db, capsys, client):
    call_command("seed_demo", verbosity=0)
    call_command("demo_login")
    out = capsys.readouterr().out
    username, password = out.split("Login writer (Writers group): ")[1].split()[0:3:2]
    response = client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )
    assert response.status_code == 302
    user = response.wsgi_request.user
    assert user.has_perm("articles.change_article")
    assert not user.has_perm("articles.publish_article")


def test_seed_demo_builds_a_believable_newsroom(db, media_root):
    """Sections, a dozen published articles with drawn images and renditions, one lead,
    one draft and one scheduled article; a second run changes nothing."""
    call_command("seed_demo", verbosity=0)
    assert [c.path for c in Category.objects.all()] == [
        "today", "today/world", "today/business", "today/science", "opinion", "culture"
    ]  # fmt: skip
    published = Article.objects.published()
    assert 12 <= published.count() <= 15
    assert Article.objects.filter(status=Article.Status.DRAFT).count() == 1
    assert sum(a.is_scheduled for a in Article.objects.all()) == 1
    assert published.featured_first().first().slug == "river-delta-towns-agree-shared-flood-plan"
    for article in published:
        assert article.image and article.image_alt, article.slug
        assert [r["width"] for r in article.image_renditions] == [480, 960, 1600]
        assert len(article.body_text.split()) > 80, article.slug
        assert article.authors.exists()
    assert published.filter(body__contains="<h2>").count() >= 4
    assert published.filter(body__contains="<blockquote>").count() >= 3
    assert published.filter(body__contains="<ul>").exists()

    before = list(Article.objects.values_list("slug", "updated_at", "image", "renditions"))
    call_command("seed_demo", verbosity=0)
    after = list(Article.objects.values_list("slug", "updated_at", "image", "renditions"))
    assert after == before


def test_generated_articles_are_searchable(db):
    """--articles N bulk-creates articles with their search text filled in."""
    call_command("seed_demo", articles=3, verbosity=0)
    generated = Article.objects.filter(slug__startswith="generated-")
    assert all("Generated paragraph text" in a.body_text for a in generated)
    assert Article.objects.published().search("paragraph").count() == 3


def test_seed_demo_adds_its_corrections_once(client, db):
    from articles.models import Correction

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    notes = Correction.objects.select_related("article")
    assert sorted(n.kind for n in notes) == ["correction", "update"]
    article = notes[0].article
    assert article.history.filter(history_change_reason="Correction added").count() == 1
    page = client.get(article.get_absolute_url()).content.decode()
    assert "The agreement provides for <strong>forty</strong>." in page
    assert "Port Alder’s council ratified" in client.get("/corrections/").content.decode()
