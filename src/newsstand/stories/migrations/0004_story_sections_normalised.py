"""Every story's `sections` recomputed once from its articles' mapped sections.

`articles 0007` mapped the stored articles' sections onto the Section list but left the
stories' copies (`Story.sections`) raw ("news", "TECHNOLOGY", keyword lists) until the story's
next new article. From now on a re-mapping updates them as it goes (`articles.signals`).
The rule is frozen here, as `stories.stats.story_sections` reads at the time of writing: the
members' non-blank sections, the most common first, at most five.
"""

from collections import Counter, defaultdict

from django.db import migrations

CHUNK = 500
MAX_SECTIONS = 5


def recompute_sections(apps, schema_editor):
    Story = apps.get_model("stories", "Story")
    Article = apps.get_model("articles", "Article")
    last_id = 0
    while True:
        stories = list(
            Story.objects.filter(pk__gt=last_id).order_by("pk").only("pk", "sections")[:CHUNK]
        )
        if not stories:
            return
        members = defaultdict(list)
        rows = (
            Article.objects.filter(story_id__in=[s.pk for s in stories])
            .order_by("-published_at", "-id")
            .values_list("story_id", "section")
        )
        for story_id, section in rows:
            members[story_id].append(section)
        changed = []
        for story in stories:
            if story.pk not in members:
                continue
            counts = Counter(s.strip() for s in members[story.pk] if s and s.strip())
            sections = [s for s, _ in counts.most_common(MAX_SECTIONS)]
            if sections != story.sections:
                story.sections = sections
                changed.append(story)
        Story.objects.bulk_update(changed, ["sections"], batch_size=CHUNK)
        last_id = stories[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_seed_sections"),
        ("stories", "0003_copysketch_storylink"),
    ]

    operations = [
        migrations.RunPython(recompute_sections, migrations.RunPython.noop),
    ]
