"""A stored search document, kept in step by a trigger and GIN-indexed (PostgreSQL only).

`Article.search_document` holds the weighted tsvector of title (A), standfirst (B) and
body text (C) in the English configuration: the expression of articles.search and of
migration 0003's index, which this replaces. A trigger computes it on every insert and on
every update of the three fields, so save(), QuerySet.update() and bulk inserts alike keep
it in step; the existing rows are filled here. On SQLite the column exists and stays empty.
"""

import django.contrib.postgres.search
from django.db import migrations

EXPRESSION = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(NEW.title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.standfirst, '')), 'B')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(NEW.body_text, '')), 'C')"
)
FORWARD = f"""
CREATE FUNCTION articles_article_search_document() RETURNS trigger AS $$
BEGIN
    NEW.search_document := {EXPRESSION};
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER articles_article_search_document
    BEFORE INSERT OR UPDATE OF title, standfirst, body_text, search_document
    ON articles_article FOR EACH ROW EXECUTE FUNCTION articles_article_search_document();
UPDATE articles_article SET title = title;
DROP INDEX IF EXISTS article_search_idx;
CREATE INDEX article_search_idx ON articles_article USING GIN (search_document);
"""
BACKWARD = """
DROP INDEX IF EXISTS article_search_idx;
DROP TRIGGER IF EXISTS articles_article_search_document ON articles_article;
DROP FUNCTION IF EXISTS articles_article_search_document();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)
        # Migration 0003's expression index, which this one replaced.
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS article_search_idx ON articles_article USING GIN (("
            + EXPRESSION.replace("NEW.", "")
            + "))"
        )


class Migration(migrations.Migration):
    dependencies = [("articles", "0004_drop_xml_forbidden_characters")]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
