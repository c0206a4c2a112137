from django.contrib.auth import get_user_model
from django.core.management import call_command

from articles.models import Article, Category


def test_seed_demo_is_idempotent(db):
    call_command("seed_demo", verbosity=0)
    counts = (Category.objects.count(), Article.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Category.objects.count(), Article.objects.count()) == counts
    assert Category.objects.filter(path="today/world").exists()
    assert Category.objects.filter(path="today/business").exists()
    assert Category.objects.filter(path="opinion").exists()
    assert get_user_model().objects.get(username="editor").groups.filter(name="Editors").exists()


def test_seed_demo_articles_option(db):
    call_command("seed_demo", articles=30, verbosity=0)
    assert Article.objects.filter(slug__startswith="generated-").count() == 30
    call_command("seed_demo", articles=30, verbosity=0)
    assert Article.objects.filter(slug__startswith="generated-").count() == 30


def test_demo_login_prints_a_working_login(db, capsys, client):
    call_command("seed_demo", verbosity=0)
    call_command("demo_login")
    out = capsys.readouterr().out
    username, password = out.split("Login admin (superuser): ")[1].split()[0:3:2]
    assert client.login(username=username, password=password)
