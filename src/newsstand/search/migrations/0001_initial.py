import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def install_index(apps, schema_editor):
    """The full-text index of the database in use, filled from the existing articles."""
    from newsstand.search.backends import postgres, sqlite

    installers = {"sqlite": sqlite.install, "postgresql": postgres.install}
    install = installers.get(schema_editor.connection.vendor)
    if install is None:
        raise RuntimeError(
            f"Search supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}."
        )
    with schema_editor.connection.cursor() as cursor:
        install(cursor)


def uninstall_index(apps, schema_editor):
    from newsstand.search.backends import postgres, sqlite

    uninstallers = {"sqlite": sqlite.uninstall, "postgresql": postgres.uninstall}
    with schema_editor.connection.cursor() as cursor:
        uninstallers[schema_editor.connection.vendor](cursor)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("articles", "0003_article_copy_of"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleDocument",
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
                ("document", django.contrib.postgres.search.SearchVectorField()),
                ("title_document", django.contrib.postgres.search.SearchVectorField()),
            ],
        ),
        migrations.RunPython(install_index, uninstall_index),
    ]
