"""The starting list of sections, and every stored article's section mapped onto it.

The raw value moves to `section_source`, so a name staff add later can still be applied
(`newsstand sections normalise`).
"""

from collections import defaultdict

from django.db import migrations
from django.db.models import F

from newsstand.articles.sections import (
    DEFAULT_SECTIONS,
    SectionCatalogue,
    normalise_section,
    section_slug,
    split_aliases,
)

BATCH = 1000


def seed_and_normalise(apps, schema_editor):
    Section = apps.get_model("articles", "Section")
    Article = apps.get_model("articles", "Article")
    for name, aliases in DEFAULT_SECTIONS:
        Section.objects.get_or_create(
            name=name, defaults={"slug": section_slug(name), "aliases": "\n".join(aliases)}
        )
    catalogue = SectionCatalogue.of(
        (s.name, split_aliases(s.aliases)) for s in Section.objects.order_by("pk")
    )
    Article.objects.filter(section_source="").update(section_source=F("section"))
    last_id = 0
    while True:
        chunk = list(
            Article.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "section", "section_source")[:BATCH]
        )
        if not chunk:
            return
        changed = defaultdict(list)
        for pk, section, source in chunk:
            value = normalise_section(source, catalogue) or ""
            if value != section:
                changed[value].append(pk)
        for value, ids in changed.items():
            Article.objects.filter(pk__in=ids).update(section=value)
        last_id = chunk[-1][0]


def restore_raw(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Article.objects.update(section=F("section_source"))


class Migration(migrations.Migration):

    dependencies = [
        ("articles", "0006_sections"),
    ]

    operations = [
        migrations.RunPython(seed_and_normalise, restore_raw),
    ]
