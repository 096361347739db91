"""The reader's pages. Views only query and render; the decisions live in presentation.py."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from newsstand.articles.models import Article
from newsstand.foryou import live
from newsstand.foryou.views import ForYouCard, cards_of
from newsstand.gate.actions import open_article
from newsstand.gate.policy import Reason, shown_body
from newsstand.gate.teaser import make_body_teaser
from newsstand.gate.viewer import with_viewer_access
from newsstand.gate.web import article_gate, mark_response
from newsstand.ledger.tickets import issue_ticket
from newsstand.personal.actions import note_article_opened
from newsstand.personal.state import card_flags, hide_muted_publishers, saved_flag
from newsstand.reader.browse import active_publisher_count, publisher_strip
from newsstand.reader.front import OnFront, Pitch, choose_lead, on_front
from newsstand.reader.pagecache import anonymous_page
from newsstand.reader.reads import count_read
from newsstand.reader.sections import busy_sections, section_blocks
from newsstand.stories.coverage import related_for, story_coverage
from newsstand.stories.models import Story
from newsstand.stories.picks import active_picks
from newsstand.stories.top import (
    HOME_LEAD_CANDIDATES,
    HOME_TOP_STORIES,
    TopStory,
    top_stories,
)
from newsstand.web.listing import card_page, is_htmx_fragment, render_cards
from newsstand.web.presentation import body_images, make_teaser, shown_caption, was_updated
from newsstand.web.visitors import is_prefetch

logger = logging.getLogger(__name__)

# Top stories and Our Picks: how many on the home page (Top stories: stories.top's
# HOME_TOP_STORIES, which the staff ranking's lead mark follows), and in the article's aside.
# Latest on the home page, per page: on a phone 30 cards were ~13,500 px; "More" appends the next.
HOME_LATEST_PER_PAGE = 12
HOME_PICKS = 6
# For You entries in the home page's block (signed-in readers).
HOME_FOR_YOU = 6
ASIDE_ITEMS = 5


@anonymous_page
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    first_page = not is_htmx_fragment(request) and request.GET.get("page", "1") == "1"
    reader = None
    if first_page and request.user.is_authenticated:
        # The For You block needs the reader's follows anyway: its muted publishers come with
        # them, in place of hide_muted_publishers' query.
        reader = live.load_reader_for(request.user)
        articles = Article.objects.exclude(publisher_id__in=reader.muted_publisher_ids)
    else:
        articles = hide_muted_publishers(request.user, Article.objects.all())
    page, cards = card_page(
        request, articles, flags=card_flags(request.user), per_page=HOME_LATEST_PER_PAGE
    )
    context: dict[str, Any] = {
        "page": page,
        "cards": cards,
        "top_stories": [],
        "our_picks": [],
        "more_label": "More stories",
    }
    if is_htmx_fragment(request):
        return render_cards(request, "reader/home.html", context)
    if page.number == 1:
        # One more than the block shows: the lead is usually one of them.
        top = top_stories(HOME_LEAD_CANDIDATES, with_representative=True)
        context["lead"], context["top_stories"] = choose_lead(top, cards, limit=HOME_TOP_STORIES)
        context["our_picks"] = active_picks(timezone.now(), limit=HOME_PICKS)
        context["sections"] = section_blocks(articles, busy_sections())
        context["publisher_strip"] = publisher_strip()
        if reader is not None:
            front = on_front(context["lead"], context["top_stories"], context["our_picks"])
            context["for_you_block"] = True
            context["for_you_cards"] = _for_you_block(
                request, reader, top[:HOME_TOP_STORIES], front
            )
        elif not request.user.is_authenticated:
            context["pitch"] = Pitch(
                publishers=active_publisher_count(), trial_days=settings.NEWSSTAND_TRIAL_DAYS
            )
    return render_cards(request, "reader/home.html", context)


def _for_you_block(
    request: HttpRequest, reader: live.ReaderData, top: Sequence[TopStory], front: OnFront
) -> list[ForYouCard]:
    """The first few For You entries whose article and story the front below does not show
    (`reader.front.on_front`); the home's Top stories are the ones For You boosts.

    For You comes first on the page and boosts Top stories, so it repeated the lead and Top
    stories just under it. It gives way rather than the front: Top stories and the lead stay the
    site's honest ranking, the same for every reader, while For You loses nothing personal (the
    story is on the screen, a few lines down) and fills its places with the next things chosen
    for this reader. For You has one article a story, so asking for as many more as the front
    shows still fills the block."""
    same = HOME_TOP_STORIES == live.TOP_STORIES_N
    result = live.feed_page(
        request.user,  # type: ignore[arg-type]  # signed in
        limit=HOME_FOR_YOU + len(front),
        reader=reader,
        top=top if same else None,
    )
    entries = [e for e in result.entries if not front.shows(e.article)]
    return cards_of(entries[:HOME_FOR_YOU])


@anonymous_page
@require_safe
def article(request: HttpRequest, pk: int) -> HttpResponse:
    return _article_page(request, pk, print_view=request.GET.get("print") == "1")


@require_safe
def article_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The article laid out for paper: same gate, no asides."""
    return _article_page(request, pk, print_view=True)


def _article_page(request: HttpRequest, pk: int, *, print_view: bool) -> HttpResponse:
    # The reader's membership rides on the article's SELECT, for the gate (gate/viewer.py).
    articles = with_viewer_access(Article.objects.select_related("publisher"), request.user)
    if (saved := saved_flag(request.user)) is not None:
        # The Save button's state rides on this query rather than costing one of its own.
        articles = articles.annotate(is_saved=saved)
    obj = get_object_or_404(articles, pk=pk)
    # The gate (gate/): members read the body; everyone else the teaser and an invitation.
    opened = request.method == "GET" and not is_prefetch(request)
    decision = open_article(request.user, obj, may_spend=opened)
    body = shown_body(obj)
    teaser = make_body_teaser(body)
    context = {
        "article": obj,
        "gate": article_gate(request, decision, teaser),
        "print_view": print_view,
        # content_html is sanitised at ingest (ingest.sanitizer); it is the only field marked safe.
        # A gated page never receives it, so no markup, attribute or script can carry it.
        "body_html": mark_safe(body_images(body)) if decision.full else "",  # noqa: S308 - sanitised, see above
        "updated": was_updated(obj.published_at, obj.updated_at),
        "lead_caption": shown_caption(obj.lead_image_caption, obj.title),
        "description": make_teaser(obj.summary, teaser.text, body_words=obj.word_count),
        # Members only ("" otherwise): the signed ticket the read tracker sends back (ledger/).
        # Metered free reads are not members' reads, so they never enter the payout ledger.
        "read_ticket": (
            issue_ticket(request.user.pk or 0, obj.pk, timezone.now())
            if decision.reason is Reason.MEMBER and not print_view
            else ""
        ),
    }
    if not print_view:
        related, carriers = related_for(obj)
        context |= {
            "related_stories": related,
            "also_carried_by": carriers,
            "top_stories": top_stories(ASIDE_ITEMS, exclude_story_id=obj.story_id),
            "our_picks": active_picks(
                timezone.now(),
                limit=ASIDE_ITEMS,
                exclude_article_id=obj.pk,
                exclude_story_id=obj.story_id,
            ),
        }
    count_read(request, obj)
    if opened:
        note_article_opened(request.user, obj)
    return mark_response(render(request, "reader/article.html", context), decision)


@anonymous_page
@require_safe
def story(request: HttpRequest, pk: int) -> HttpResponse:
    """One story: every publisher's coverage of it, and a timeline."""
    obj = get_object_or_404(Story.objects.select_related("representative__publisher"), pk=pk)
    coverage = story_coverage(obj, picture=True)
    if not coverage.article_count:
        raise Http404("This story has no articles.")
    return render(request, "reader/story.html", {"story": obj, "coverage": coverage})
