"""What each write invalidates: the one map from writes to cache versions.

Every write that changes what a reader can see calls one function here, named for the
write; this table says which versions it moves (the versions, and what is cached on them,
are described in `articles.caching`). A new write path adds its row here and calls its
function: nothing else in the code base moves a version. The receivers that turn model
signals into these calls are connected here too: the articles app's by `connect()`, the
comments app's by `register_comments()`, which that app calls when it starts (articles
never imports comments).

content = the content version (whole anonymous pages, the schedule), and with it the strict
  version, except where a comment only appears (`comment_approved`: a page that lacks it may
  be served for a moment while the new one is rendered, `articles.pagecache`), and the shell
  version, except where only an article's comments change (`comment_approved`,
  `comment_visibility_changed`: the new page may be made from the previous one by rendering
  its comments section alone);
comments[a] = the comments version of article a (its thread fragment);
policy = the comments app's cached moderation policy.
A signal named under a call is the receiver, connected below, that makes the call.

Write                                              Calls                        Moves
-------------------------------------------------  ---------------------------  -----------
Article saved, draft or published (admin form;     article_changed()            content
  Publish/Unpublish actions, which save each one;    post_save, post_delete
  the shell), or deleted
Article's authors changed (m2m)                    article_changed()            content
                                                     m2m_changed
Article's image renditions made after its save     article_changed()            content
  (Article._refresh_renditions: update())
Generated articles (seed_demo --articles:          article_changed()            content
  bulk_create, no signal)
Category saved, moved or deleted (a move rewrites  category_changed()           content
  its subtree with bulk_update inside the save)      post_save, post_delete
Comment saved or deleted while shown: a            comment_visibility_changed(  content (not
  moderator's edit in the admin; a cascade from      article_id)                shell),
  its article's deletion                             post_save, post_delete     comments[a]
Comment status to approved (moderation.            comment_approved(            content (not
  change_status writes with update(): every action,  article_id)                strict or
  the admin's bulk actions and row buttons, a staff                             shell),
  reply, the pipeline, the re-check); in a bulk                                 comments[a]
  action (bulk_decision) written at most every                                  (coalesced in
  caching.COALESCE_SECONDS                                                      a bulk action)
Comment status from approved (change_status)       comment_visibility_changed(  content (not
                                                     article_id)                shell),
                                                                                comments[a]
Commenter's personal data erased (privacy.erase:   comment_visibility_changed(  content (not
  update(); the admin action, the command)           article_id), each article   shell),
                                                     with an approved one       comments[a]
Moderation policy saved (the admin's form;         policy_changed()             content,
  comments.policy.forget() for other writes)         post_save                  policy
An article's comment surge switched (the comments  policy_changed()             content,
  app's update() of the policy row's mirror of                                policy
  surge states: automatic, forced, the calm job)
Moderation totals changed (a reader's report        totals_changed()             content
  filed or decided: comments.reports, the
  transparency page's monthly totals)
Scheduled article's publish time comes; an        nothing (no write)           nothing: the
  article's unpublish time comes; comments close                                schedule
  N days after publication
A scheduled revision goes live (revisions.apply:   article_changed()            content
  a normal save)                                     post_save
Article's tags changed (m2m: the admin's form)     article_changed()            content
                                                     m2m_changed
Author profile saved or deleted (the admin: name,  author_changed()             content
  bio, role, photo; its photo renditions: update())  post_save, post_delete
Tag saved (renamed) or deleted (its articles lose  tag_changed()                content
  it with the rows of the m2m table)                 post_save, post_delete
Correction or update added, changed or removed     article_changed()            content
  (corrections.save_note/delete_note: a save of      post_save of the article;
  its article, so `updated_at` moves too; the        post_save, post_delete of
  shell)                                             the note
Preview link created or revoked                    nothing (never cached)       nothing

The schedule (`caching.schedule`) expires every entry at the next scheduled publish,
unpublish or comment-closing time; for the latter it reads "comments close N days after
publication" from the source the comments app registers (`comments_close_after_days()`).

Writes that move nothing, on purpose (nothing a page shows changes):
- a comment saved while not shown: a reader's new comment (pending until filed), a held
  comment edited, any change among pending, spam and trash;
- deleting for good (`delete_permanently`: the admin's action and row button, "Empty
  spam/trash", `purge_comments`): only spam and trash go; approved replies lifted a level
  (update()) render where they did, as the thread puts a reply whose parent is not shown
  at the top level and never reads `depth`;
- `privacy.expire` and `purge_comments`' payload drop, `notified_at` (mail),
  `feedback_pending`, the re-check's `held_reason`/`next_check_at`: fields no page shows;
- redirects left by a moved article or category: they answer 404s, which are never cached;
- revisions (the history tables): a revision in review or scheduled is not the article's
  text until it is applied, which is a save of the article (above).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models.signals import m2m_changed, post_delete, post_save

from articles import caching


def article_changed():
    """An article was saved or deleted, or its authors or renditions changed."""
    caching.bump(content=True)


def category_changed():
    """A category was saved, moved (with its subtree) or deleted."""
    caching.bump(content=True)


def author_changed():
    """An author profile was saved or deleted (author pages, bylines, feeds, JSON-LD)."""
    caching.bump(content=True)


def tag_changed():
    """A tag was saved or deleted (tag pages, the article pages' tags and "Related")."""
    caching.bump(content=True)


def comment_visibility_changed(article_id):
    """A comment shown on the article appeared, changed or disappeared: its thread and
    every page that could show it get new keys, and no page from before may be served (the
    strict version); only the article page's comments section differs (not the shell
    version), so the new page may be made by rendering that section alone."""
    caching.bump(content=True, comments_of=article_id, only_comments=True)


def comment_approved(article_id):
    """A comment was approved: it appears on its article and nothing else changes, so a
    page without it may still be served while the new one is rendered (not after a
    removal: `comment_visibility_changed` moves the strict version too)."""
    caching.bump(content=True, comments_of=article_id, only_adds=True)


def bulk_decision():
    """A block in which one decision is applied to many comments, one after the other (a
    moderator's bulk action): their approvals' version writes are coalesced, at most one
    every `caching.COALESCE_SECONDS`; a removal is written at once (`caching.coalesced`)."""
    return caching.coalesced()


def policy_changed():
    """The moderation policy was saved: the reply depth and comment closing show on every
    article page, and the cached policy is dropped."""
    caching.bump(content=True)
    if _comments is not None:
        _comments.drop_cached_policy()


def totals_changed():
    """The public moderation totals changed (the transparency page)."""
    caching.bump(content=True)


def comments_close_after_days():
    """Days after publication when comments close (None: never or no comments app): the
    schedule's source for comment-closing times."""
    return _comments.close_after_days() if _comments is not None else None


# -- the receivers ---------------------------------------------------------------------


def connect():
    """Connect the articles app's writes (its `ready()` calls this)."""
    from articles.models import (  # which import this module
        Article,
        Author,
        Category,
        Correction,
        Tag,
    )

    for model, receiver in (
        (Article, _article_written),
        (Category, _category_written),
        (Author, _author_written),
        (Tag, _tag_written),
        (Correction, _article_written),
    ):
        post_save.connect(receiver, sender=model, dispatch_uid=f"cache-{model.__name__}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"cache-del-{model.__name__}")
    m2m_changed.connect(
        _article_written, sender=Article.authors.through, dispatch_uid="cache-article-authors"
    )
    m2m_changed.connect(
        _article_written, sender=Article.tags.through, dispatch_uid="cache-article-tags"
    )


def _article_written(sender, **kwargs):
    article_changed()


def _category_written(sender, **kwargs):
    category_changed()


def _author_written(sender, **kwargs):
    author_changed()


def _tag_written(sender, **kwargs):
    tag_changed()


@dataclass(frozen=True)
class _CommentsApp:
    shown: Callable  # shown(comment): is it on the public page?
    drop_cached_policy: Callable
    close_after_days: Callable


_comments = None  # set by register_comments()


def register_comments(model, *, shown, policy_model, drop_cached_policy, close_after_days):
    """The comments app's part of the map, registered when it starts: its comment `model`
    (saved or deleted while `shown(comment)`: `comment_visibility_changed`), its
    `policy_model` (saved: `policy_changed`) and how to drop its cached policy, and the
    schedule's source for "comments close N days after publication"
    (`comments_close_after_days`)."""
    global _comments
    _comments = _CommentsApp(shown, drop_cached_policy, close_after_days)
    post_save.connect(_comment_written, sender=model, dispatch_uid="cache-comment")
    post_delete.connect(_comment_written, sender=model, dispatch_uid="cache-del-comment")
    post_save.connect(_policy_written, sender=policy_model, dispatch_uid="cache-policy")


def _policy_written(sender, **kwargs):
    policy_changed()


def _comment_written(sender, instance, **kwargs):
    if _comments.shown(instance):
        comment_visibility_changed(instance.article_id)
