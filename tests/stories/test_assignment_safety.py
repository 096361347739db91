"""Assignment as several processes do it: exactly one story per article, the same wire copies
whichever process decides, leftovers of any age assigned, related stories linked.

Two processes are played in one by swapping the stories cache (each process holds its own);
tests/stories/test_concurrency.py runs real processes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from newsstand.articles.models import Article
from newsstand.sources.models import Publisher
from newsstand.stories import actions
from newsstand.stories.actions import assignment
from newsstand.stories.clustering_engine import ArticleInfo, ClusterConfig, StoryClusterer
from newsstand.stories.models import CopySketch, Story, StoryLink
from newsstand.stories.similarity import SimilarityModel
from newsstand.stories.text import ArticleText
from tests.reader.factories import make_article, make_publisher
from tests.stories.events import EVENTS, SINGLETONS
from tests.stories.texts import WIRE_STORY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    actions.reset_cache()
    yield
    actions.reset_cache()


@pytest.fixture
def publishers() -> list[Publisher]:
    return [make_publisher(name) for name in ("Reuters", "AP", "BBC", "Guardian")]


def article(publisher: Publisher, text: str, hours_ago: float) -> Article:
    parsed = ArticleText.from_combined(text)
    body = parsed.body.split("\n", 1)[1] if "\n" in parsed.body else parsed.body
    return make_article(
        publisher,
        title=parsed.title,
        content_text=body,
        content_html=f"<p>{body}</p>",
        summary="",
        word_count=len(body.split()),
        published_at=timezone.now() - timedelta(hours=hours_ago),
    )


def wire(publisher: Publisher, hours_ago: float, *, copy: bool) -> Article:
    lines = WIRE_STORY[:5] if copy else WIRE_STORY
    prefix = "Advertisement. Scroll to continue with content.\n" if copy else ""
    body = prefix + "\n".join(lines)
    return make_article(
        publisher,
        title="Library approved in Northfield" if copy else "Northfield approves new library",
        content_text=body,
        published_at=timezone.now() - timedelta(hours=hours_ago),
        word_count=len(body.split()),
    )


class Processes:
    """Two processes' stories caches, taken in turn."""

    def __init__(self) -> None:
        self.caches: dict[str, object] = {}
        self.current = ""

    def run(self, name: str, ids: list[int] | None = None) -> actions.AssignReport:
        self.caches[self.current] = assignment._window.state
        assignment._window.state = self.caches.get(name)  # type: ignore[assignment]
        self.current = name
        return actions.assign_stories(ids)


def assert_consistent() -> None:
    """Every story has articles and counts them right; every article has one story."""
    for story in Story.objects.all():
        n = story.articles.count()
        assert n > 0, f"story {story.pk} has no articles"
        assert story.article_count == n
    assert not Article.objects.filter(story__isnull=True).exists()


def test_a_process_that_built_its_cache_earlier_sees_copies_another_assigned(
    publishers: list[Publisher],
) -> None:
    procs = Processes()
    procs.run("a")  # both processes start before the articles exist
    procs.run("b")
    original = wire(publishers[0], 3, copy=False)
    assert procs.run("a", [original.pk]).assigned == 1
    copy = wire(publishers[1], 2, copy=True)
    report = procs.run("b", [copy.pk])
    assert report.assigned == 1 and report.copies == 1
    copy.refresh_from_db()
    original.refresh_from_db()
    assert copy.copy_of_id == original.pk and copy.story_id == original.story_id
    # Each assigned article left its sketch for the next process to build from.
    assert set(CopySketch.objects.values_list("article_id", flat=True)) == {original.pk, copy.pk}
    assert_consistent()


def test_copies_older_than_a_day_are_found_by_a_freshly_built_cache(
    publishers: list[Publisher],
) -> None:
    """The copy index of a new process holds the whole window, as an old process's does."""
    original = wire(publishers[0], 50, copy=False)
    actions.assign_stories([original.pk])
    actions.reset_cache()  # another process, started later
    copy = wire(publishers[1], 40, copy=True)
    assert actions.assign_stories([copy.pk]).copies == 1
    copy.refresh_from_db()
    assert copy.copy_of_id == original.pk


def test_an_article_another_process_assigned_is_not_assigned_again(
    publishers: list[Publisher],
) -> None:
    procs = Processes()
    first = article(publishers[0], EVENTS["flood"][0], 3)
    procs.run("a")  # "a" sees `first` pending
    procs.run("b", [first.pk])  # "b" assigns it
    story_id = Article.objects.get(pk=first.pk).story_id
    assert story_id is not None
    report = procs.run("a", [first.pk])
    assert report.assigned == 0
    assert Article.objects.get(pk=first.pk).story_id == story_id
    second = article(publishers[1], EVENTS["flood"][1], 2)
    procs.run("a", [second.pk])
    assert Article.objects.get(pk=second.pk).story_id == story_id
    assert Story.objects.count() == 1
    assert_consistent()


def test_persisting_an_article_someone_else_assigned_keeps_theirs_and_no_empty_story(
    publishers: list[Publisher],
) -> None:
    """The conditional update: a decision made on stale information changes nothing."""
    a = article(publishers[0], EVENTS["chips"][0], 2)
    theirs = Story.objects.create(headline="theirs")
    Article.objects.filter(pk=a.pk).update(story=theirs)
    row = {"id": a.pk, "title": a.title, "content_text": a.content_text}
    info = ArticleInfo(a.pk, 0.0)
    decision = assignment.Assignment(a.pk, None, None, 0.0, "new")
    touched: set[int] = set()
    with actions.assignment_lock():
        got = assignment._persist(decision, assignment._Row(row, info, None), None, touched)  # type: ignore[arg-type]
    assert got == theirs.pk
    assert list(Story.objects.values_list("pk", flat=True)) == [theirs.pk]
    assert not touched  # theirs is as they left it


def test_leftovers_of_any_age_get_stories(publishers: list[Publisher]) -> None:
    """A crash between storing and assigning leaves articles without a story; old ones too."""
    recent = article(publishers[0], EVENTS["strike"][0], 2)
    old = [
        article(p, t, 24 * 5 + i)
        for i, (p, t) in enumerate(zip(publishers, EVENTS["flood"], strict=False))
    ]
    ancient = article(publishers[3], SINGLETONS[0], 24 * 400)
    out = StringIO()
    call_command("stories", "assign", stdout=out)
    assert "Assigned 5 articles" in out.getvalue(), out.getvalue()
    flood_stories = {a.story_id for a in Article.objects.filter(pk__in=[a.pk for a in old])}
    assert len(flood_stories) == 1 and None not in flood_stories
    assert Article.objects.get(pk=ancient.pk).story_id not in flood_stories
    assert Article.objects.get(pk=recent.pk).story_id is not None
    assert_consistent()
    # Another old write-up of the same floods, stored later, joins them.
    late = article(publishers[3], EVENTS["flood"][2].replace("twelve", "14"), 24 * 5 + 4)
    actions.assign_stories([late.pk])
    assert Article.objects.get(pk=late.pk).story_id in flood_stories


def test_leftover_repair_deletes_stories_without_articles(publishers: list[Publisher]) -> None:
    """What the race of two unlocked processes left behind: a story whose article moved away."""
    a = article(publishers[0], EVENTS["chips"][0], 2)
    actions.assign_stories([a.pk])
    ghost = Story.objects.create(headline="ghost", article_count=1, publisher_count=1)
    actions.assign_leftovers()
    assert not Story.objects.filter(pk=ghost.pk).exists()
    assert Story.objects.filter(pk=Article.objects.get(pk=a.pk).story_id).exists()


def test_decisions_name_related_stories_between_floor_and_threshold() -> None:
    """Pure: a story whose best member scores at least `link_floor` but too little to join is
    related; the joined story and stories under the floor are not."""
    cfg = ClusterConfig(link_floor=0.3, threshold=0.55)
    clusterer = StoryClusterer(SimilarityModel(), cfg)
    for doc, story in (("j", "joined"), ("r", "related"), ("w", "weak")):
        clusterer.info[doc] = ArticleInfo(doc, 1000.0)
        clusterer.move(doc, story)
    from newsstand.stories.window import Neighbour

    neighbours = [Neighbour("j", 0, 0.9), Neighbour("r", 1, 0.45), Neighbour("w", 2, 0.2)]
    decision = clusterer.decide_from(ArticleInfo("new", 1000.0), neighbours)
    assert decision.story == "joined"
    assert decision.related == (("related", 0.45),)


def test_story_links_are_both_ways_keep_the_best_and_follow_merges(
    publishers: list[Publisher],
) -> None:
    a, b, c = (Story.objects.create(headline=h) for h in "abc")
    actions.link_stories(a.pk, [(b.pk, 0.5), (c.pk, 0.42), (999_999, 0.9)])
    actions.link_stories(b.pk, [(a.pk, 0.45)])  # lower: the best score stays
    links = {(x.story_id, x.other_id): x.score for x in StoryLink.objects.all()}
    assert links == {
        (a.pk, b.pk): 0.5,
        (b.pk, a.pk): 0.5,
        (a.pk, c.pk): 0.42,
        (c.pk, a.pk): 0.42,
    }
    # Merging c into b: b inherits c's link to a (the better of the two stays).
    assignment._absorb(b.pk, c.pk)
    links = {(x.story_id, x.other_id): x.score for x in StoryLink.objects.all()}
    assert links == {(a.pk, b.pk): 0.5, (b.pk, a.pk): 0.5}


def test_assignment_links_related_stories(publishers: list[Publisher], settings, client) -> None:  # type: ignore[no-untyped-def]
    """The same politician in two events: linked (and shown as Related), not filler."""
    # A join threshold out of reach keeps the two events apart whatever their exact score.
    settings.NEWSSTAND_STORIES = {"threshold": 0.95}
    ruling = article(
        publishers[0],
        "Court strikes Senator Maria Lopez from the Arizona ballot\n"
        "An Arizona court ruled on Monday that Senator Maria Lopez cannot appear on the "
        "November ballot because her nomination papers were filed late. Lopez, a Democrat, "
        "said she would appeal the ruling to the Arizona Supreme Court.",
        5,
    )
    wedding = article(
        publishers[1],
        "Senator Maria Lopez weds longtime partner in Phoenix\n"
        "Arizona Senator Maria Lopez married her partner of ten years, the architect Daniel "
        "Reyes, at a small ceremony in Phoenix on Saturday, her office said.",
        1,
    )
    recipe = article(publishers[2], SINGLETONS[0], 3)
    actions.assign_stories([ruling.pk, wedding.pk, recipe.pk])
    stories = {
        a.pk: a.story_id for a in Article.objects.filter(pk__in=[ruling.pk, wedding.pk, recipe.pk])
    }
    assert len(set(stories.values())) == 3
    floor = ClusterConfig().related_floor
    linked = set(
        StoryLink.objects.filter(story_id=stories[wedding.pk], score__gte=floor).values_list(
            "other_id", flat=True
        )
    )
    assert linked == {stories[ruling.pk]}
    html = client.get(ruling.get_absolute_url()).content.decode()
    related = html[html.index("Related stories") :].split("</aside>")[0]
    assert "Senator Maria Lopez weds" in related and "sourdough" not in related


def test_the_ten_minute_task_assigns_leftovers_of_any_age(publishers: list[Publisher]) -> None:
    """What repairs a crash between storing and assigning runs on its own, not only by hand."""
    from huey.contrib.djhuey import HUEY

    from newsstand.stories import tasks

    periodic = {t.__name__: t for t in HUEY._registry._periodic_tasks}
    assert "assign_leftovers_tick" in periodic
    # Every ten minutes, whatever the hour.
    due = periodic["assign_leftovers_tick"]().validate_datetime
    assert due(timezone.now().replace(hour=3, minute=10, second=0, microsecond=0))
    assert not due(timezone.now().replace(hour=3, minute=11, second=0, microsecond=0))
    old = article(publishers[0], EVENTS["flood"][0], 24 * 30)
    recent = article(publishers[1], EVENTS["strike"][0], 1)
    tasks.assign_leftovers_tick.call_local()
    assert Article.objects.get(pk=old.pk).story_id is not None
    assert Article.objects.get(pk=recent.pk).story_id is not None
    assert_consistent()
