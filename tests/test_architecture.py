"""Rules import-linter cannot express ([tool.importlinter] in pyproject.toml has the rest).

A comment's status is written in one place, `comments.moderation.change_status`: admin,
views, commands, the pipeline and the re-check all call it. import-linter sees imports, not
attribute writes, so this reads the code: an assignment to `.status`, a queryset
`update(status=...)`/`bulk_update(..., ["status"])`, or a `status=` given when a comment is
made, anywhere in the comments app or the project package, outside that module, fails.
(`articles` cannot write it: it never imports `comments`, a contract.)
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OWNER = Path("comments/moderation.py")
SCANNED = ("comments", "newsroom")


WRITERS = ("update", "create", "get_or_create", "update_or_create", "Comment")


def _status_dicts(tree):
    """Names bound to a dict literal with a "status" key (later spread into a write)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            keys = {k.value for k in node.value.keys if isinstance(k, ast.Constant)}
            if "status" in keys:
                names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _status_writes(tree):
    """(line, what) for each place in `tree` that writes a `status`."""
    spread = _status_dicts(tree)
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr == "status":
                yield node.lineno, f"assigns {ast.unparse(target)}"
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute | ast.Name):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
        keywords = {k.arg for k in node.keywords}
        spreads = {ast.unparse(k.value) for k in node.keywords if k.arg is None}
        if name in WRITERS and ("status" in keywords or spreads & spread):
            yield node.lineno, ast.unparse(node)[:80]
        if name == "bulk_update" and "status" in ast.unparse(node):
            yield node.lineno, ast.unparse(node)[:80]
        if name == "setattr" and "'status'" in ast.unparse(node):
            yield node.lineno, ast.unparse(node)[:80]


def _product_files():
    for package in SCANNED:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path.relative_to(ROOT)


def test_only_moderation_writes_a_comment_status():
    writers = [
        f"{path}:{line} {what}"
        for path in _product_files()
        if path != OWNER
        for line, what in _status_writes(ast.parse((ROOT / path).read_text(), str(path)))
    ]
    assert writers == []


def test_the_scan_sees_the_writes_it_looks_for():
    """The owner's own write is found (so an empty list above means something), and each
    form of write is recognised."""
    owner = list(_status_writes(ast.parse((ROOT / OWNER).read_text())))
    assert owner, "change_status no longer writes where the scan looks"
    samples = [
        "comment.status = 'spam'",
        "Comment.objects.filter(pk=1).update(status='spam')",
        "Comment.objects.create(body='x', status='approved')",
        "Comment(status='approved')",
        "Comment.objects.bulk_update(rows, ['status'])",
        "fields = {'status': 'spam'}\nComment.objects.filter(pk=1).update(**fields)",
        "setattr(comment, 'status', 'spam')",
    ]
    for sample in samples:
        assert list(_status_writes(ast.parse(sample))), sample
    assert list(_status_writes(ast.parse("Comment.objects.filter(status='spam')"))) == []
