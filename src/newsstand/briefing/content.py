"""What goes in a reader's briefing: Top stories, Our Picks and For You, as plain items.

Only what every visitor may see goes in: headlines, sources, the card teaser (the summary, else
the body's first words, at most `web.presentation.TEASER_CHARS` characters) and links to the
pages here, where the gate decides. An email is forwarded, archived and read on shared screens,
so it never carries more than a card, whatever the reader's membership.

What the reader has already read and whatever they muted (publishers, sections, topics,
stories) are left out, as For You sees them: `foryou.live.load_reader_for` reads the reader's
reads and follows in one query (the newest `max_signals` reads; a briefing is made of the last
few days' news, far newer than those), and For You's page is ranked from the same data. What
they have read counts as For You counts it (`foryou.seen.Seen`): an article, its wire copies,
and a story they read unless it has had coverage since. Nothing
appears twice: a story in Top stories is not repeated as a pick or a For You article.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models.functions import Substr

from newsstand.articles.models import Article
from newsstand.foryou.inputs import FollowSet
from newsstand.foryou.live import (
    TOP_STORIES_N,
    ForYouEntry,
    feed_page,
    is_muted,
    load_reader_for,
)
from newsstand.foryou.reader_data import ReaderData
from newsstand.foryou.seen import Seen
from newsstand.stories.models import Story
from newsstand.stories.picks import active_picks
from newsstand.stories.top import TopStory, top_stories
from newsstand.web.listing import TEASER_SOURCE_CHARS
from newsstand.web.presentation import image_src, make_teaser

TOP_STORIES = 5
PICKS = 3
FOR_YOU = 5
# Fetched beyond what is shown, so leaving out read and muted ones still fills each section.
OVERFETCH = 3
ARTICLE_FIELDS = (
    "id",
    "title",
    "summary",
    "word_count",
    "story_id",
    "publisher_id",
    "publisher__name",
    "section",
    "topics",
    "lead_image_url",
    "lead_image_caption",
    "copy_of_id",
    "fetched_at",
)


@dataclass(frozen=True)
class Item:
    """One line of the briefing: a story or an article, linked on this site."""

    title: str
    url: str  # absolute, on NEWSSTAND_SITE_URL
    source: str  # "Reuters", or "6 sources" for a story
    teaser: str = ""  # plain text, the card's teaser
    note: str = ""  # an editor's blurb, or why For You chose it
    image_url: str = ""
    image_alt: str = ""


@dataclass(frozen=True)
class Briefing:
    local_date: date
    top: tuple[Item, ...] = ()
    picks: tuple[Item, ...] = ()
    for_you: tuple[Item, ...] = ()

    @property
    def item_count(self) -> int:
        return len(self.top) + len(self.picks) + len(self.for_you)

    @property
    def is_empty(self) -> bool:
        return self.item_count == 0

    @property
    def lead(self) -> Item | None:
        for section in (self.top, self.picks, self.for_you):
            if section:
                return section[0]
        return None


def absolute(path: str) -> str:
    return settings.NEWSSTAND_SITE_URL + path


@dataclass
class _Exclusions:
    """What stays out: the reader's reads and mutes (as For You sees them), and what is in."""

    follows: FollowSet
    read: Seen
    seen_stories: set[int] = field(default_factory=set)
    seen_articles: set[int] = field(default_factory=set)

    def article_ok(self, article: Article) -> bool:
        story = article.story_id
        return not (
            article.pk in self.seen_articles
            or (story is not None and story in self.seen_stories)
            or is_muted(article, self.follows)
            or self.read.hides(
                article.pk,
                story_id=story,
                copy_of=article.copy_of_id,
                arrived_ts=article.fetched_at.timestamp(),
            )
        )

    def story_ok(self, story: Story) -> bool:
        rep = story.representative_id
        read_at = self.read.stories.get(story.pk)
        return not (
            story.pk in self.follows.muted.stories
            or story.pk in self.seen_stories
            or (rep is not None and rep in self.read.articles)
            # Read, and no coverage since.
            or (read_at is not None and story.last_updated_at.timestamp() <= read_at)
        )

    def take_article(self, article: Article) -> None:
        self.seen_articles.add(article.pk)
        if article.story_id is not None:
            self.seen_stories.add(article.story_id)

    def take_story(self, story: Story) -> None:
        self.seen_stories.add(story.pk)
        if story.representative_id is not None:
            self.seen_articles.add(story.representative_id)


def _articles(ids: Iterable[int]) -> dict[int, Article]:
    """Card columns of `ids`, with the start of the body for teasers (never the body itself)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = (
        Article.objects.filter(pk__in=wanted)
        .select_related("publisher")
        .only(*ARTICLE_FIELDS)
        .annotate(text_head=Substr("content_text", 1, TEASER_SOURCE_CHARS))
    )
    return {a.pk: a for a in rows}


def for_you_entries(
    user: Any,
    now: datetime,
    limit: int,
    reader: ReaderData,
    top: list[TopStory],
    *,
    wait_s: float = 0.0,
) -> list[ForYouEntry]:
    """The reader's For You picks: ranked entries only. A reader For You knows nothing about
    gets its fallback (Top stories' leads and the latest, score 0), which is not "for you" and
    would only repeat the Top stories section."""
    # The Top stories For You boosts, from the query the briefing made anyway.
    page = feed_page(
        user, limit=limit, now=now, reader=reader, top=top[:TOP_STORIES_N], wait_s=wait_s
    )
    return [e for e in page.entries if e.score > 0]


def _article_item(article: Article, note: str = "", *, with_image: bool = False) -> Item:
    image = image_src(article.lead_image_url) if with_image else ""
    return Item(
        title=article.title,
        url=absolute(article.get_absolute_url()),
        source=article.publisher.name,
        teaser=make_teaser(
            article.summary, getattr(article, "text_head", ""), body_words=article.word_count
        ),
        note=note,
        image_url=image,
        image_alt=(article.lead_image_caption or article.title) if image else "",
    )


def _story_item(
    story: Story, rep: Article | None, note: str = "", *, with_image: bool = False
) -> Item:
    teaser = make_teaser(story.lead, "")
    if not teaser and rep is not None:
        teaser = make_teaser(rep.summary, getattr(rep, "text_head", ""), body_words=rep.word_count)
    image = image_src(rep.lead_image_url) if (with_image and rep is not None) else ""
    return Item(
        title=story.headline,
        url=absolute(story.get_absolute_url()),
        source=story.sources_label if story.publisher_count else "",
        teaser=teaser,
        note=note,
        image_url=image,
        image_alt=((rep.lead_image_caption if rep else "") or story.headline) if image else "",
    )


def build_briefing(user: Any, now: datetime, local_date: date, *, wait_s: float = 0.0) -> Briefing:
    """The briefing `user` would get at `now`: a handful of queries whatever its size.

    `wait_s`: how long For You may wait for its corpus when this process has not built it yet
    (a send waits; the preview page shows the briefing without For You meanwhile).
    """
    # The reader's reads and mutes in one query, which For You needs too.
    reader = load_reader_for(user)
    ranked_top = top_stories(limit=max(TOP_STORIES * OVERFETCH, TOP_STORIES_N))
    stories = [t.story for t in ranked_top]
    picks = active_picks(now, limit=PICKS * OVERFETCH)
    # For You with nothing to go on ranks Top stories and the latest: not "for you" at all.
    knows_reader = bool(reader.signals) or any(not f.muted for f in reader.follows)
    entries: list[ForYouEntry] = []
    if knows_reader:
        entries = for_you_entries(user, now, FOR_YOU * OVERFETCH, reader, ranked_top, wait_s=wait_s)

    wanted: list[int] = [s.representative_id for s in stories if s.representative_id]
    for p in picks:
        if p.pick.article_id:
            wanted.append(p.pick.article_id)
        elif p.pick.story is not None and p.pick.story.representative_id:
            wanted.append(p.pick.story.representative_id)
    wanted += [e.article.pk for e in entries]
    articles = _articles(wanted)
    seen = _Exclusions(follows=reader.follow_set, read=reader.seen)

    top: list[Item] = []
    for story in stories:
        if len(top) == TOP_STORIES:
            break
        if seen.story_ok(story):
            rep = articles.get(story.representative_id or 0)
            top.append(_story_item(story, rep, with_image=not top))
            seen.take_story(story)

    chosen_picks: list[Item] = []
    for p in picks:
        if len(chosen_picks) == PICKS:
            break
        if p.pick.story is not None:
            story = p.pick.story
            if seen.story_ok(story):
                rep = articles.get(story.representative_id or 0)
                chosen_picks.append(_story_item(story, rep, p.blurb))
                seen.take_story(story)
        elif p.pick.article_id in articles:
            article = articles[p.pick.article_id]
            if seen.article_ok(article):
                chosen_picks.append(_article_item(article, p.blurb))
                seen.take_article(article)

    for_you: list[Item] = []
    for entry in entries:
        if len(for_you) == FOR_YOU:
            break
        found = articles.get(entry.article.pk)
        if found is not None and seen.article_ok(found):
            for_you.append(_article_item(found, str(entry.reason)))
            seen.take_article(found)

    return Briefing(
        local_date=local_date,
        top=tuple(top),
        picks=tuple(chosen_picks),
        for_you=tuple(for_you),
    )
