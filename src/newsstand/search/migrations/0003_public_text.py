"""The public search index: what readers without full access search (search/public.py).

The table of public texts, the database's index over it and its triggers, then a public text for
every existing article, computed by today's gate (the teaser is cut from the HTML in Python).
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

BATCH = 500


def install_public_index(apps, schema_editor):
    from newsstand.articles.models import Article as CurrentArticle
    from newsstand.search.backends import postgres, sqlite
    from newsstand.search.public import PUBLIC_FIELDS, public_row

    installers = {"sqlite": sqlite.install_public, "postgresql": postgres.install_public}
    install = installers.get(schema_editor.connection.vendor)
    if install is None:
        raise RuntimeError(
            f"Search supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}."
        )
    with schema_editor.connection.cursor() as cursor:
        install(cursor)
    # Rows are read through the historical model and computed on unsaved instances of today's
    # Article, which is what the gate's teaser takes.
    Article = apps.get_model("articles", "Article")
    PublicText = apps.get_model("search", "PublicText")
    after = 0
    while True:
        values = list(
            Article.objects.filter(pk__gt=after).order_by("pk").values(*PUBLIC_FIELDS)[:BATCH]
        )
        if not values:
            break
        PublicText.objects.bulk_create(
            [PublicText(**public_row(CurrentArticle(**v))) for v in values]
        )
        after = values[-1]["id"]


def uninstall_public_index(apps, schema_editor):
    from newsstand.search.backends import postgres, sqlite

    uninstallers = {"sqlite": sqlite.uninstall_public, "postgresql": postgres.uninstall_public}
    with schema_editor.connection.cursor() as cursor:
        uninstallers[schema_editor.connection.vendor](cursor)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_backfill_articletopic"),
        ("search", "0002_newest_matches_function"),
    ]

    operations = [
        migrations.CreateModel(
            name="PublicText",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="articles.article",
                    ),
                ),
                ("title", models.TextField()),
                ("authors", models.TextField()),
                ("text", models.TextField()),
                ("document", django.contrib.postgres.search.SearchVectorField(null=True)),
            ],
        ),
        migrations.RunPython(install_public_index, uninstall_public_index),
    ]
