"""The comment tests' fixtures (an article, a reader's POST, moderators), shared here."""

from tests.comments.conftest import (  # noqa: F401 (fixtures)
    article,
    form_data,
    make_comment,
    maria,
    maria_client,
    moderator,
    post,
    post_url,
    run_on_commit,
)
