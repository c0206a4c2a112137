"""The comment endpoint takes text only: a multipart POST with a file part is refused with
a 400 before the file is read or spooled to disk; text bodies behave as before."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from comments.models import Comment

BIG = 5 * 1024 * 1024  # past FILE_UPLOAD_MAX_MEMORY_SIZE: Django would spool it to disk


@pytest.fixture
def spool_dir(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    return tmp_path


def test_file_part_refused_before_spooling(client, post_url, form_data, spool_dir):
    data = form_data(comment="Text beside a file.")
    data["attachment"] = SimpleUploadedFile("big.bin", b"\0" * BIG)
    response = client.post(post_url, data, HTTP_ORIGIN="http://testserver")
    assert response.status_code == 400
    assert b"text only" in response.content
    assert not Comment.objects.exists()
    assert list(spool_dir.iterdir()) == []  # nothing was written to disk


def test_file_part_first_refused(client, post_url, form_data):
    """A file part before the text fields: refused all the same (dict order is kept)."""
    data = {"attachment": SimpleUploadedFile("a.txt", b"hello"), **form_data()}
    response = client.post(post_url, data, HTTP_ORIGIN="http://testserver")
    assert response.status_code in (400, 403)
    assert not Comment.objects.exists()


def test_multipart_without_files_still_posts(client, post_url, form_data):
    """A multipart body of text fields only (a script's FormData) is a comment as usual."""
    response = client.post(post_url, form_data(), HTTP_ORIGIN="http://testserver")
    assert response.status_code == 302
    assert Comment.objects.count() == 1


def test_malformed_multipart_is_refused(post_url):
    """Never a 500: refused as malformed (400) or as carrying no valid form token (403)."""
    client = Client(raise_request_exception=False)
    response = client.generic(
        "POST",
        post_url,
        b"--xyz\r\nContent-Disposition: form-data; name=\r\n\r\nbroken",
        content_type="multipart/form-data; boundary=xyz",
        HTTP_ORIGIN="http://testserver",
    )
    assert response.status_code in (400, 403), response.status_code
    assert not Comment.objects.exists()
