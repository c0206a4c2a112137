"""The article body's HTML allow-list, shared by the admin editor and `Article.save()`."""

import re
from html import unescape

from django_prose_editor.fields import create_sanitizer

# What editors can produce in the admin's rich-text editor; the sanitiser allows
# exactly the tags and attributes these extensions need, nothing more.
ARTICLE_BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Figure": True,
    "Caption": True,
    "Image": True,
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
}

sanitize_article_html = create_sanitizer(ARTICLE_BODY_EXTENSIONS)

# A short text by the newsroom, not an article: an author's bio, a correction or update
# note. A few words with emphasis and links, nothing more (one allow-list for both).
SHORT_TEXT_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
}

sanitize_short_html = create_sanitizer(SHORT_TEXT_EXTENSIONS)
BIO_EXTENSIONS = CORRECTION_EXTENSIONS = SHORT_TEXT_EXTENSIONS
sanitize_bio_html = sanitize_correction_html = sanitize_short_html

_TAG = re.compile(r"<[^>]*>")


def html_to_text(html):
    """The words of (sanitised) article HTML, for search: tags out, entities decoded.

    Tags become spaces so that `<p>end</p><p>start</p>` does not glue two words together.
    """
    return " ".join(unescape(_TAG.sub(" ", html or "")).split())
