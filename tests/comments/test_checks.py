"""The Akismet key checks and `manage.py akismet_verify`."""

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command


def ids(**kwargs):
    return {m.id for m in run_checks(**kwargs)}


def test_no_key_warns_and_deploy_check_errors(settings):
    settings.AKISMET_API_KEY = ""
    assert "comments.W001" in ids()
    assert "comments.E001" not in ids()
    assert "comments.E001" in ids(include_deployment_checks=True)


def test_a_key_silences_both(settings):
    settings.AKISMET_API_KEY = "abc123"
    assert not {"comments.W001", "comments.E001"} & ids(include_deployment_checks=True)


def test_akismet_verify_valid(akismet_server, capsys):
    call_command("akismet_verify")
    assert "valid for http://testserver" in capsys.readouterr().out
    assert len(akismet_server.calls("verify-key")) == 1


def test_akismet_verify_invalid(akismet_server):
    akismet_server.mode = "invalid"
    with pytest.raises(CommandError, match="invalid for http://testserver"):
        call_command("akismet_verify")


def test_akismet_verify_unreachable_never_prints_the_key(akismet_server, settings):
    settings.AKISMET_API_URL = akismet_server.refused_url
    with pytest.raises(CommandError) as exc:
        call_command("akismet_verify")
    assert "Could not reach Akismet" in str(exc.value)
    assert "stub-key-123" not in str(exc.value)


def test_akismet_verify_without_key(settings):
    settings.AKISMET_API_KEY = ""
    with pytest.raises(CommandError, match="not set"):
        call_command("akismet_verify")
