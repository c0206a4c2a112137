"""Existing articles and categories lose the characters XML 1.0 forbids.

Article.save() and Category.save() drop them from now on (articles.xmltext); this cleans
the rows saved before. Only the rows holding one are read and updated (one UPDATE each,
updated_at left alone): on PostgreSQL and SQLite the database finds them with a regex.

Only the readers' text is cleaned, not slugs and paths: they reach feeds and sitemaps only
as percent-encoded URLs, and changing them here would break links without a redirect
(Article.save() and Category.save() leave one when an editor next saves the row).

The rules are copied from articles/xmltext.py so that this migration does not change if
that module does. Reversing it changes nothing: the characters are not worth restoring.
"""

import re

from django.db import migrations
from django.db.models import Q

BREAKS = re.compile("[\x0b\x0c]")
FORBIDDEN = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# The same characters as a pattern both regex engines read with its escapes: PostgreSQL's
# and Python's re (Django's SQLite backend runs REGEXP in Python). PostgreSQL text cannot
# hold NUL (and its regexes refuse \x00); neither database can hold a lone surrogate.
PATTERNS = {
    "postgresql": r"[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]",
    "sqlite": r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]",
}

FIELDS = {
    "Article": [
        "title",
        "standfirst",
        "body",
        "body_text",
        "image_alt",
        "image_caption",
        "meta_description",
    ],
    "Category": ["name", "description"],
}


def xml_safe(text):
    return FORBIDDEN.sub("", BREAKS.sub(" ", text)) if text else text


def drop_forbidden_characters(apps, schema_editor):
    connection = schema_editor.connection
    pattern = PATTERNS.get(connection.vendor)
    for model_name, fields in FIELDS.items():
        rows = apps.get_model("articles", model_name)._base_manager.using(connection.alias)
        candidates = rows.all()
        if pattern:
            holding_one = Q()
            for field in fields:
                holding_one |= Q(**{f"{field}__regex": pattern})
            candidates = rows.filter(holding_one)
        # Another database: every row is read, and still only those holding one updated.
        for row in candidates.values("pk", *fields).iterator():
            changes = {f: xml_safe(row[f]) for f in fields if xml_safe(row[f]) != row[f]}
            if changes:
                rows.filter(pk=row["pk"]).update(**changes)


class Migration(migrations.Migration):
    dependencies = [("articles", "0003_article_search_index")]

    operations = [migrations.RunPython(drop_forbidden_characters, migrations.RunPython.noop)]
