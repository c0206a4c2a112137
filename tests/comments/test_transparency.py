"""/transparency/: readers' reports per month (by reason), the decisions and the median time
to a decision, from the monthly totals kept for it; purging old comments changes no past
month. "transparency" is a reserved slug, and the migration renames a category using it."""

import importlib
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib.redirects.models import Redirect
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Category
from comments import reports
from comments.models import Comment, ReportMonth

S = Comment.Status
MAY = datetime(2026, 5, 10, 9, 0, tzinfo=UTC)


def rows(page):
    """The table's body rows as lists of cell texts."""
    import re

    body = page.split("<tbody>")[1].split("</tbody>")[0]
    cells = re.compile(r"<t[hd][^>]*>.*?</t[hd]>")
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in cells.findall(tr)]
        for tr in re.findall(r"<tr>.*?</tr>", body, re.S)
    ]


def test_the_page_counts_reports_by_month_reason_and_decision(client, make_comment, maria):
    with time_machine.travel(MAY, tick=False):
        a, b = make_comment(), make_comment()
        reports.file_report(a, ground="illegal", law="x", explanation="y", ip="192.0.2.1")
        reports.file_report(a, ground="abuse", ip="192.0.2.2")
        reports.file_report(b, ground="spam", ip="192.0.2.3")
    with time_machine.travel(MAY + timedelta(hours=2), tick=False):
        reports.decide(a, "remove", "illegal", "defamation", actor=maria)
    with time_machine.travel(MAY + timedelta(days=30), tick=False):  # 9 June
        reports.decide(b, "keep", "no_breach", actor=maria)
    response = client.get("/transparency/")
    assert response.status_code == 200
    page = response.content.decode()
    # Month, Illegal, Abuse, Spam, Off-topic, Other, All, kept, removed, median.
    assert rows(page) == [
        ["June 2026", "0", "0", "0", "0", "0", "0", "1", "0", "about 30 days"],
        ["May 2026", "1", "1", "1", "0", "0", "3", "0", "2", "about 2 hours"],
    ]


def test_purging_old_spam_and_trash_changes_no_past_month(client, make_comment, maria):
    with time_machine.travel(MAY, tick=False):
        comment = make_comment()
        reports.file_report(comment, ground="spam", ip="192.0.2.9")
        reports.decide(comment, "remove", "advertising", actor=maria)
    before = rows(client.get("/transparency/").content.decode())
    assert Comment.objects.filter(pk=comment.pk).delete_permanently() == 1
    assert not comment.reports.exists()
    assert rows(client.get("/transparency/").content.decode()) == before
    assert ReportMonth.objects.get().filed == {"spam": 1}


def test_it_is_cached_like_the_other_pages_and_moves_with_new_totals(client, make_comment):
    first = client.get("/transparency/")
    assert "public" in first["Cache-Control"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/transparency/")
    assert len(queries) == 0
    assert again["ETag"] == first["ETag"]
    reports.file_report(make_comment(), ground="other", ip="192.0.2.20")
    fresh = client.get("/transparency/")
    assert fresh["ETag"] != first["ETag"]
    assert "No reports yet." not in fresh.content.decode()


def test_transparency_is_a_reserved_slug(world):
    category = Category(name="Transparency", slug="transparency", parent=world)
    with pytest.raises(ValidationError) as refused:
        category.full_clean()
    assert "slug" in refused.value.message_dict


def test_the_migration_renames_a_category_using_the_slug_and_leaves_redirects(db, world):
    root = Category.objects.create(name="Transparency", slug="transparency")
    child = Category.objects.create(name="Reports", slug="reports", parent=root)
    Category.objects.create(name="Taken", slug="transparency-section")
    migration = importlib.import_module("comments.migrations.0013_reports")
    migration.rename_reserved_categories(apps, None)
    root.refresh_from_db()
    child.refresh_from_db()
    assert (root.slug, root.path) == ("transparency-section-2", "transparency-section-2")
    assert child.path == "transparency-section-2/reports"
    redirects = dict(Redirect.objects.values_list("old_path", "new_path"))
    assert redirects["/transparency/"] == "/transparency-section-2/"
    assert redirects["/transparency/reports/"] == "/transparency-section-2/reports/"
