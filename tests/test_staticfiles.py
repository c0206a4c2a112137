"""The static files' storage (`newsroom.staticfiles`): each URL looked up in the manifest
once per process, the same URL WhiteNoise's storage gives."""

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

from newsroom.staticfiles import StaticFilesStorage

NAMES = ["css/site.css", "css/comments.css", "js/comments.js", "img/favicon.svg"]


@pytest.fixture
def storage():
    return StaticFilesStorage()


def test_it_is_the_sites_storage_with_debug_off():
    staticfiles_storage.url(NAMES[0])  # made on first use
    assert isinstance(staticfiles_storage._wrapped, StaticFilesStorage)


def test_the_urls_are_whitenoises(storage):
    plain = CompressedManifestStaticFilesStorage()
    for name in NAMES:
        assert storage.url(name) == plain.url(name)
        assert storage.url(name) == plain.url(name)  # from the process's copy
        assert ".css" not in name or storage.url(name) != f"/static/{name}"  # hashed


def test_a_url_is_looked_up_once(storage, monkeypatch):
    first = storage.url(NAMES[0])

    def refuse(*args, **kwargs):
        raise AssertionError("looked up again")

    monkeypatch.setattr(storage, "stored_name", refuse)
    assert storage.url(NAMES[0]) == first
    with pytest.raises(AssertionError):
        storage.url(NAMES[1])  # not asked before: looked up


def test_a_missing_file_is_refused_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError):
            storage.url("css/no-such-file.css")


def test_with_debug_on_or_forced_it_answers_as_before(storage):
    hashed = storage.url(NAMES[0])
    with override_settings(DEBUG=True):
        assert storage.url(NAMES[0]) == f"/static/{NAMES[0]}"
    assert storage.url(NAMES[0], force=True) == hashed


def test_hashing_the_files_again_forgets_the_urls(storage, monkeypatch):
    storage.url(NAMES[0])
    monkeypatch.setattr(
        CompressedManifestStaticFilesStorage, "post_process", lambda *a, **k: iter(())
    )
    list(storage.post_process({}))
    assert storage._urls == {}
