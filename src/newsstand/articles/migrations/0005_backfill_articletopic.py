"""Fill the topic index for the articles stored before it existed."""

from django.db import migrations

from newsstand.articles.topics import topic_links

BATCH = 1000


def backfill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    ArticleTopic = apps.get_model("articles", "ArticleTopic")
    last_id = 0
    while True:
        chunk = list(
            Article.objects.filter(pk__gt=last_id).order_by("pk").values_list("pk", "topics")[:BATCH]
        )
        if not chunk:
            return
        rows = [
            ArticleTopic(article_id=pk, slug=link.slug, name=link.name)
            for pk, topics in chunk
            if isinstance(topics, list)
            for link in topic_links(topics)
        ]
        ArticleTopic.objects.bulk_create(rows, ignore_conflicts=True)
        last_id = chunk[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0004_articletopic"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
