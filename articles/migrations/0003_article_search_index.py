"""The full-text search index, on PostgreSQL only.

An index on a SearchVector in Meta.indexes would make SQLite's migrations fail, so this
migration checks the database it runs on. The expression is exactly the one
articles.search.search_vector() compiles to; if one changes, the other must too.
"""

from django.db import migrations

INDEX = "article_search_idx"
EXPRESSION = (
    "(setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(standfirst, '')), 'B'))"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(body_text, '')), 'C')"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON articles_article USING GIN (({EXPRESSION}))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("articles", "0002_article_body_text_renditions")]

    operations = [migrations.RunPython(create_index, drop_index)]
