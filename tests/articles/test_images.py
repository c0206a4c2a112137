"""Featured images: renditions made from the upload, and how pages reference them."""

import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from articles.models import Article


def img_tags(html):
    return re.findall(r"<img [^>]*>", html)


def attrs(tag):
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))


def test_renditions_are_made_at_each_width_no_wider_than_the_original(
    make_article, image_upload, media_root
):
    """A 2000×1200 upload gets 480, 960 and 1600 px JPEGs with the same proportions."""
    article = make_article(image=image_upload(2000, 1200), image_alt="A blue field")
    items = article.renditions["items"]
    assert article.renditions["source"] == article.image.name
    assert [(r["width"], r["height"]) for r in items] == [(480, 288), (960, 576), (1600, 960)]
    for rendition in items:
        with Image.open(Path(media_root) / rendition["name"]) as image:
            assert image.size == (rendition["width"], rendition["height"])
            assert image.format == "JPEG"
    article.refresh_from_db()
    assert article.image_renditions == items


def test_a_small_original_gets_one_rendition_at_its_own_size(make_article, image_upload):
    """No upscaling: a 300 px image is served at 300 px."""
    article = make_article(image=image_upload(300, 200, name="small.png"), image_alt="Small")
    assert [(r["width"], r["height"]) for r in article.image_renditions] == [(300, 200)]


def test_replacing_or_removing_the_image_replaces_its_renditions(
    make_article, image_upload, media_root
):
    """Old renditions are deleted with the image they were made from."""
    article = make_article(image=image_upload(1000, 500, name="first.jpg"), image_alt="First")
    old = [Path(media_root) / r["name"] for r in article.image_renditions]
    assert all(path.exists() for path in old)

    article.image = image_upload(1200, 600, name="second.jpg")
    article.save()
    assert not any(path.exists() for path in old)
    assert [r["width"] for r in article.image_renditions] == [480, 960]
    assert "second" in article.image_renditions[0]["name"]

    article.image = None
    article.save()
    article.refresh_from_db()
    assert article.renditions == {}
    assert article.image_renditions == []


def test_saving_without_a_new_image_keeps_the_renditions(make_article, image_upload):
    """Editing the text does not redraw the renditions."""
    article = make_article(image=image_upload(1000, 500), image_alt="Field")
    before = article.renditions
    article.title = "A new title"
    article.save()
    article.refresh_from_db()
    assert article.renditions == before


def test_alt_text_is_required_with_an_image(make_article, image_upload, world):
    """The admin form (full_clean) refuses an image without a description."""
    article = Article(title="T", slug="t", category=world, image=image_upload(), image_alt=" ")
    with pytest.raises(ValidationError) as exc:
        article.full_clean()
    assert "image_alt" in exc.value.message_dict


def test_article_page_serves_the_image_with_srcset_sizes_and_dimensions(
    client, make_article, image_upload
):
    """The featured image: srcset of all renditions, sizes, width/height, loaded eagerly."""
    article = make_article(
        image=image_upload(2000, 1200), image_alt="A blue field", image_caption="The field."
    )
    html = client.get(article.get_absolute_url()).content.decode()
    hero = attrs(next(t for t in img_tags(html) if "A blue field" in t))
    urls = [f"/media/{r['name']}" for r in article.image_renditions]
    assert hero["srcset"] == f"{urls[0]} 480w, {urls[1]} 960w, {urls[2]} 1600w"
    assert hero["src"] == urls[1]
    assert hero["sizes"]
    assert (hero["width"], hero["height"]) == ("1600", "960")
    assert hero["fetchpriority"] == "high"
    assert "loading" not in hero
    assert "<figcaption>The field.</figcaption>" in html
    assert f'<meta property="og:image" content="http://testserver{urls[2]}">' in html


def test_teasers_below_the_fold_load_lazily(client, make_article, image_upload):
    """On the front page the lead's image loads at once; the section teasers' lazily."""
    make_article(title="Lead", featured=1, image=image_upload(), image_alt="Lead picture")
    make_article(title="Second", image=image_upload(), image_alt="Second picture")
    make_article(title="Third", image=image_upload(), image_alt="Third picture")
    tags = {attrs(t)["alt"]: attrs(t) for t in img_tags(client.get("/").content.decode())}
    assert "loading" not in tags["Lead picture"]
    assert tags["Second picture"]["loading"] == "lazy"
    assert tags["Third picture"]["loading"] == "lazy"
    assert all("srcset" in tag and "width" in tag for tag in tags.values())


def test_images_in_the_body_load_lazily(client, make_article):
    """Images an editor puts in the body get loading="lazy" when the page is rendered."""
    article = make_article(
        body='<figure><img src="/media/inline.jpg" alt="Inline"><figcaption>c</figcaption></figure>'
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<img loading="lazy" decoding="async" src="/media/inline.jpg" alt="Inline">' in html
