"""Short lines that page templates put between paragraphs and readers should not see.

Newsletter prompts, paywall teasers, share bars, "Related stories" headers: site-independent
phrasings only, and only for short blocks, so a paragraph that merely mentions a newsletter stays.
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

__all__ = [
    "MAX_BOILERPLATE_CHARS",
    "drop_invisible",
    "edge_furniture",
    "is_boilerplate",
    "mark_div_paragraphs",
    "mark_loose_paragraphs",
    "orphan_headings",
    "prune_furniture",
]

MAX_BOILERPLATE_CHARS = 160

_PATTERNS = re.compile(
    r"""^\W*(?:
        sign\s+up\s+(?:to|for|now|here|today)\b
      | subscribe\s+(?:to|now|today|for)\b
      | get\s+(?:our|the)\s+(?:\w+\s+){0,3}newsletter
      | (?:our|the|free)\s+(?:\w+\s+){0,3}newsletter\b.*\b(?:sign|subscribe|inbox)
      | already\s+a\s+subscriber
      | (?:related|recommended|more|trending|popular)\s+
        (?:stories|articles|coverage|content|reading|news|links|posts)\W*$
      | (?:also\s+)?read\s+more\W*$
      | (?:read|see|watch)\s+(?:more|also)\s*:
      | share\s+(?:this|on)\b
      | follow\s+us\s+on\b
      | click\s+here\s+(?:to|for)\b
      | advertisement\W*$
      | (?:story\s+)?continues\s+below
      | this\s+(?:article|story)\s+(?:is\s+)?continues?\s+below
      | (?:sign\s+in|log\s+in)\s+(?:to|or)\s+
      | create\s+a\s+free\s+account
      | we\s+use\s+cookies\b
      | copyright\s+©
      | ©\s*\d{4}
      | all\s+rights\s+reserved\W*$
      | follow\s+(?:\S+\s+){1,6}on\s+
        (?:twitter|x|facebook|instagram|threads|bluesky|youtube|snapchat|tiktok|linkedin)\b
      | (?:instagram|twitter|tiktok|youtube|facebook|x)\s+content\W*$
      | i\s+would\s+like\s+to\s+(?:contribute|donate)\b
      | related(?:\s+(?:post|article|story|stories|reading|content|coverage))?\s*:
      | you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested)\b
      | (?:people|readers|others|you)\s+(?:are\s+|were\s+)?also\s+
        (?:reading|read|viewing|viewed|watching|watched|liked|enjoyed)\W*$
      | (?:also|more)\s*:
      | read\s+more\s+(?:on|about|from|at)\b[^.!?]*$
      | (?:oops\W*)?something\s+went\s+wrong\b
      | comments\s+on\s+this\s+(?:piece|article|story|post)\b
      | most\s+(?:read|popular|viewed|shared)\s+(?:in|on|from)\b[^.!?]*$
      | (?:watch\s+this|click\s+to\s+(?:subscribe|read|watch|listen))\b
      | like\s+this\s+(?:story|article|post)\s*\?
      | if\s+you\s+(?:enjoyed|liked|like)\s+this\s+(?:article|story|post|piece)\b
      | thanks?\s+(?:you\s+)?for\s+(?:signing\s+up|subscribing)\b
      | (?:there\s+was\s+an|an)\s+error\s+(?:has\s+)?(?:occurred|processing)\b
      | this\s+copy\s+is\s+for\s+your\s+personal\b
      | this\s+(?:article|story|piece|post)\s+(?:was\s+|has\s+been\s+|first\s+|originally\s+)+
        (?:published|appeared|posted|ran)\b
      | (?:have\s+a\s+(?:news\s+)?tip\s*\?|write\s+to\s+\S+(?:\s+\S+)?\s+at\s+\S+@)
      | (?:\d+\s+min(?:ute)?s?\s+read|reading\s+time|tempo\s+de\s+leitura|lesezeit)\b[^.!?]*$
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Template phrases that mark a short block wherever they stand in it: the reader is addressed
# about the site (its inbox, its comments, sharing), not told the news.
_ANYWHERE = re.compile(
    r"""(?:
        \b(?:to|in)\s+your\s+inbox\b
      | \blet\s+us\s+know\s+in\s+the\s+comments\b
      | \bshare\s+this\s+(?:article|story|post)\s+with\b
      | \bsubscribe\s+to\s+our\s+(?:\w+\s+)?newsletters?\b
      | \bfollow\s+(?:him|her|them|us)\s+(?:on\s+\w+\s+)?@\w
    )""",
    re.IGNORECASE | re.VERBOSE,
)


# Affiliate disclosures run longer than other template lines but say nothing about the story.
_AFFILIATE_RE = re.compile(
    r"\baffiliate\s+(?:partnerships?|commissions?|links?)\b"
    r"|\bmay\s+(?:earn|receive|get)\s+(?:a\s+)?(?:small\s+)?(?:share|commission)",
    re.IGNORECASE,
)
_MAX_DISCLOSURE_CHARS = 400


# "Contact Jane Doe at jdoe@example.com", "X can be reached at …", "… Email: x@…": how to
# reach the writer, a template line under the story, not part of it.
_CONTACT_RE = re.compile(
    r"\b(?:can\s+be\s+reached|contact|e-?mail(?:\s+(?:him|her|them|me))?\s*:|reach\s+(?:him|her|them))"
    r"[^@]{0,80}?[\w.+-]+@[\w-]+\.[\w.]+",
    re.IGNORECASE,
)
# Longer blocks mention an address inside the story ("send proposals to …").
_MAX_CONTACT_CHARS = 200

# Longer template notes with an unmistakable phrasing: the placeholder of an embed that did not
# load, the letters prompt. An embedded post's own text ("… — Name (@handle) May 2, 2023") stays:
# the writer quoted it (aeb's references keep those, naeb's drop them; dropping cost more).
_NOTE_RE = re.compile(
    r"""(?:
        ^this\s+content\s+can\s+also\s+be\s+viewed\s+on\s+the\s+site\s+it\s+originates\s+from
      | \bwe(?:'|\u2019)d\s+(?:like|love)\s+to\s+hear\s+what\s+you\s+think\s+about\s+this\b
    )""",
    re.IGNORECASE | re.VERBOSE,
)
_MAX_NOTE_CHARS = 400  # a two- or three-sentence site note


# A newsletter's promotion: a block naming a newsletter (or the reader's inbox, a mailing list)
# with a sentence that opens on the call to sign up ("… was featured in the X newsletter. Sign up
# for it here.", "Join our newsletter for tips"), or only the newsletter's name ("Top Gear
# Newsletter"). Prose that mentions newsletters ("subscribe to industry newsletters" mid-sentence,
# "signing up for a newsletter" as an example) does not open a sentence with the call.
_NEWSLETTER_RE = re.compile(r"\bnewsletters?\b|\bmailing\s+list\b|\binbox\b", re.IGNORECASE)
_SIGN_UP_SENTENCE_RE = re.compile(
    r"(?:^|[.!?]\s+)[\W_]*(?:sign(?:ing)?[\s-]+up|subscribe|join|register)\b", re.IGNORECASE
)
_NEWSLETTER_NAME_RE = re.compile(r"^\W*(?:[\w'\u2019&#-]+\s+){0,3}newsletter\W*$", re.IGNORECASE)
_MAX_PROMO_CHARS = 400


def _is_newsletter_promo(text: str) -> bool:
    if not _NEWSLETTER_RE.search(text):
        return False
    return bool(_NEWSLETTER_NAME_RE.match(text) or _SIGN_UP_SENTENCE_RE.search(text))


def is_boilerplate(text: str) -> bool:
    """True when a short block of body text is template furniture, not prose."""
    stripped = text.strip()
    if not stripped:
        return False
    if len(stripped) <= _MAX_PROMO_CHARS and _is_newsletter_promo(stripped):
        return True
    if len(stripped) <= _MAX_CONTACT_CHARS and _CONTACT_RE.search(stripped):
        return True
    if len(stripped) <= _MAX_NOTE_CHARS and _NOTE_RE.search(stripped):
        return True
    if len(stripped) > MAX_BOILERPLATE_CHARS:
        return len(stripped) <= _MAX_DISCLOSURE_CHARS and bool(_AFFILIATE_RE.search(stripped))
    return bool(
        _PATTERNS.match(stripped) or _ANYWHERE.search(stripped) or _AFFILIATE_RE.search(stripped)
    )


# Page parts named for what they are: reader comments, newsletter sign-ups, the writer's bio box,
# promotions of other pages, copyright notices. trafilatura prunes some of these by name, but
# only when the name starts with them ("comments-…") or inside the block it picked.
_FURNITURE_NAME = (
    r"(?:^|[\s_-])comments?(?:$|[\s_-])|newsletter|author-?bio|about-the-author"
    r"|(?:^|[\s_-])promo(?:$|[\s_-])|copyright"
)
_FURNITURE_RE = re.compile(_FURNITURE_NAME, re.IGNORECASE)
_FURNITURE_WORDS_RE = re.compile(r"omment|ewsletter|bio|romo|opyright|about-the", re.IGNORECASE)
_FURNITURE_TAGS = ("div", "section", "aside", "ul", "ol", "li", "p", "footer")
# A furniture-named element holding this share of the page's text is the page itself (an
# article container classed "has-comments"), not furniture.
_MAX_FURNITURE_SHARE = 0.4


_INVISIBLE_TAGS = ("script", "style")


def drop_invisible(tree: HtmlElement) -> None:
    """Remove what a browser never shows as text (scripts and style sheets) from
    *tree*, in place, keeping the text that follows each.

    Their text is not prose, yet it counts in every measure taken with ``text_content()``: a
    paragraph holding an ad's inline script, or a section with a page state in JSON, weighed
    as much prose as an article. trafilatura deletes them too, later. Structured data
    (``application/ld+json``) stays for the readers after this one.
    """
    for element in list(tree.iter(_INVISIBLE_TAGS)):
        if element.tag == "script" and "ld+json" in (element.get("type") or ""):
            continue
        element.drop_tree()


def prune_furniture(tree: HtmlElement) -> None:
    """Remove comment sections, newsletter boxes, bio boxes and promos from *tree*, in place."""
    found = []
    for element in tree.iter(*_FURNITURE_TAGS):
        attrib = element.attrib
        if not attrib:
            continue
        names, ident = attrib.get("class") or "", attrib.get("id") or ""
        # The literal prefilter is several times cheaper than the anchored pattern.
        if _FURNITURE_WORDS_RE.search(names + " " + ident) and (
            _FURNITURE_RE.search(names) or _FURNITURE_RE.search(ident)
        ):
            found.append(element)
    if not found:
        return
    page_chars = len(tree.text_content())
    removed: set[etree._Element] = set()
    for element in found:
        if any(a in removed for a in element.iterancestors()):
            continue
        if next(element.iter("h1"), None) is not None:
            continue
        if len(element.text_content()) > _MAX_FURNITURE_SHARE * page_chars:
            continue
        removed.add(element)
    for element in removed:
        element.drop_tree()


# Inline elements a paragraph is written with; a <div> holding only these (and text) is a paragraph
# whatever its tag says.
_INLINE_TAGS = frozenset(
    {"span", "a", "em", "strong", "b", "i", "u", "br", "sup", "sub", "mark", "small", "abbr", "q"}
)
_MIN_DIV_PARAGRAPH_CHARS = 100  # shorter inline-only divs are labels, bylines and buttons
_MAX_DIV_PARAGRAPH_LINK_SHARE = 0.5  # of its characters inside links: a menu row, not prose


def mark_div_paragraphs(tree: HtmlElement) -> None:
    """Retag as <p> the <div>s that hold one paragraph of inline text, in place.

    Some templates (CSS-in-JS sites especially) write every paragraph as ``<div><span>…</span>
    </div>``. trafilatura's fast mode looks for paragraphs by tag and then keeps only the one
    real <p> (often a teaser) of such a page; its standard mode rescues the text with two more
    extractors at several times the cost. Naming these divs for what they are lets the one pass
    see the article. Link-heavy divs stay divs: a row of menu links is not a paragraph.
    """
    for element in tree.iter("div"):
        if not len(element) or (element.text and element.text.strip()):
            continue
        if not all(child.tag in _INLINE_TAGS for child in element):
            continue
        text_chars = len(element.text_content())
        if text_chars < _MIN_DIV_PARAGRAPH_CHARS:
            continue
        linked = sum(len(a.text_content()) for a in element.iter("a"))
        if linked > _MAX_DIV_PARAGRAPH_LINK_SHARE * text_chars:
            continue
        element.tag = "p"


# Containers whose own text, between their blocks, can be a paragraph nobody tagged.
_LOOSE_PROSE_CONTAINERS = ("div", "section", "article", "main", "td")
# Inline elements a loose paragraph can hold besides _INLINE_TAGS.
_LOOSE_INLINE_TAGS = _INLINE_TAGS | frozenset(
    {"code", "time", "cite", "font", "s", "strike", "del", "ins", "kbd", "var", "dfn", "tt",
     "big", "bdi", "bdo", "data", "wbr", "img", "label"}
)  # fmt: skip
# Carried along inside a loose paragraph but not counted: their text is not read.
_UNREAD_TAGS = frozenset({"script", "style", "noscript", "template"})
# Of a run's text, written loose in the container: a run that is mostly one <span> is a caption,
# a label or hidden structured data the template styles as text, not a paragraph it forgot.
_MIN_LOOSE_SHARE = 0.5
# Blocks trafilatura reads as text: loose runs beside one of these are the story's own.
_TEXT_BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote", "pre", "table"}
)


def mark_loose_paragraphs(tree: HtmlElement) -> None:
    """Wrap in a <p> the runs of text a container holds between its blocks, in place.

    Some templates write the story as bare text between headings and ad slots (``<h2>…</h2>
    Drinking coffee…<div class="ad">``). trafilatura's fast mode reads paragraphs by tag and loses
    such runs; readability wraps them in paragraphs first, and so does this. A run is the text
    and inline elements between two block children; it becomes a paragraph when it is as long
    as a div paragraph (:func:`mark_div_paragraphs`), not mostly links, mostly loose text rather
    than one styled child, and the container also holds a paragraph, heading, list, quote or
    table: the story's blocks, not only widgets.
    """
    for element in tree.iter(_LOOSE_PROSE_CONTAINERS):
        if not len(element):
            continue
        runs: list[tuple[etree._Element | None, list[etree._Element]]] = []
        anchor: etree._Element | None = None  # None: the run opens with the container's text
        members: list[etree._Element] = []
        among_text = False
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else None
            if tag is None or tag in _LOOSE_INLINE_TAGS or tag in _UNREAD_TAGS:
                members.append(child)
                continue
            among_text = among_text or tag in _TEXT_BLOCK_TAGS
            runs.append((anchor, members))
            anchor, members = child, []
        if not among_text:
            # An inline-only container is mark_div_paragraphs' to judge; text among only
            # divs and widgets is a footer's or a sidebar's, which the wild-paragraph recovery
            # of trafilatura would then take in.
            continue
        runs.append((anchor, members))
        for anchor, members in runs:
            _wrap_run(element, anchor, members)


def _run_chars(lead: str, members: list[etree._Element]) -> tuple[int, int, int]:
    """Characters of a run's text, of them inside links, and of them loose (not in a child)."""
    loose, inside, linked = len(lead.strip()), 0, 0
    for member in members:
        tag = member.tag if isinstance(member.tag, str) else None
        if tag is not None and tag not in _UNREAD_TAGS:
            text = len(member.text_content())
            inside += text
            if tag == "a":
                linked += text
            else:
                linked += sum(len(a.text_content()) for a in member.iter("a"))
        loose += len((member.tail or "").strip())
    return loose + inside, linked, loose


def _wrap_run(
    container: etree._Element, anchor: etree._Element | None, members: list[etree._Element]
) -> None:
    lead = (container.text if anchor is None else anchor.tail) or ""
    chars, linked, loose = _run_chars(lead, members)
    if (
        chars < _MIN_DIV_PARAGRAPH_CHARS
        or linked > _MAX_DIV_PARAGRAPH_LINK_SHARE * chars
        or loose < _MIN_LOOSE_SHARE * chars
    ):
        return
    paragraph = container.makeelement("p", {})
    paragraph.text = lead
    if anchor is None:
        container.text = None
        container.insert(0, paragraph)
    else:
        anchor.tail = None
        anchor.addnext(paragraph)
    for member in members:
        paragraph.append(member)  # moves it, its tail with it


# Where a reference section starts under the story: "Sources"/"References" headings, a paper's
# "More information: … DOI …", "Journal information:", "Citation: … retrieved … from".
_REFERENCES_START_RE = re.compile(
    r"^\W*(?:(?:our\s+)?(?:sources|references|works\s+cited)\W*$"
    r"|(?:more|journal)\s+information\s*:"
    r"|citation\s*:.*\bretrieved\b)",
    re.IGNORECASE,
)
_MAX_REFERENCE_CHARS = 400  # every block of a reference list is one short entry
_MIN_PROVIDED_BY_POSITION = 0.5  # of the blocks: a press-office credit follows the story
# "Provided by University of Tokyo": the press office a science story came from.
_PROVIDED_BY_RE = re.compile(r"^provided\s+by\s+[^.!?]{2,80}$", re.IGNORECASE)
# "This article has been reviewed according to X's editorial process…", and the labels listed
# under it ("fact-checked", "trusted source").
_EDITORIAL_NOTE_RE = re.compile(
    r"^this\s+(?:article|story|post)\s+has\s+been\s+(?:reviewed|fact-checked|edited)\s+"
    r"according\s+to\b[^.]{0,60}\beditorial\s+(?:process|policies|standards)",
    re.IGNORECASE,
)
_MAX_NOTE_LABEL_CHARS = 40
# "<Name> writes about …", "<Name> is a reporter for …": the writer's bio under (or above) the
# story. The bio's sentence starts with the writer's name and says what they do.
_BIO_VERB = (
    r"(?:(?:writes|covers|reports)\s+(?:about|on|for)\b"
    r"|(?:is|was)\s+(?:a|an|the)\s+[^.]{0,80}?\b(?:reporter|writer|editor|correspondent|journalist"
    r"|columnist|contributor|critic)"
    r"|has\s+(?:been\s+)?(?:covering|writing|reporting)\b)"
)
_BIO_TAIL_RE = re.compile(
    r"^(?:(?:mr|ms|mrs|dr)\.\s+)?[A-Z][\w'\u2019.-]+(?:\s+[A-Z][\w'\u2019.-]+){0,2}\s+" + _BIO_VERB
)
_MAX_BIO_CHARS = 400
_BIO_TAIL_BLOCKS = 2  # a bio not naming a known author is read only in the last blocks


def edge_furniture(texts: list[str], authors: list[str]) -> set[int]:
    """Indexes of the body blocks that are furniture at the story's edges, not its text.

    *texts* are the body's top-level blocks in order, *authors* the page's credited writers.
    Reference sections and press-office credits under the story, the labels under an
    editorial-process note, and the writer's bio (a short block opening with their name and
    saying what they write, anywhere; with any name, only in the last blocks), and the run of
    cut-off teasers that ends the body (`_trailing_teasers`).
    """
    drop: set[int] = set()
    count = len(texts)
    chars_before, total_chars = 0, sum(map(len, texts))
    for index, text in enumerate(texts):
        # Under the story: the list is shorter than the text above it (a list that is the
        # article, or sources before the story, stay).
        if chars_before >= total_chars - chars_before and _REFERENCES_START_RE.match(text):
            rest = range(index, count)
            if all(len(texts[i]) <= _MAX_REFERENCE_CHARS for i in rest):
                drop.update(rest)
                break
        chars_before += len(text)
    for index, text in enumerate(texts):
        if index in drop or len(text) > _MAX_BIO_CHARS:
            continue
        if _PROVIDED_BY_RE.match(text) and index >= _MIN_PROVIDED_BY_POSITION * count:
            drop.add(index)
        elif _EDITORIAL_NOTE_RE.match(text):
            drop.add(index)
            for label in range(index + 1, count):
                if len(texts[label]) > _MAX_NOTE_LABEL_CHARS or texts[label][-1:] in ".!?:":
                    break
                drop.add(label)
        elif _is_bio(text, authors, near_end=index >= count - _BIO_TAIL_BLOCKS):
            drop.add(index)
    drop.update(_trailing_teasers(texts))
    return drop


_TRUNCATED_RE = re.compile(r"(?:…|\.\.\.|\[(?:…|\.\.\.)\])\W*$")
_MAX_TEASER_TITLE_CHARS = 100
_MIN_TEASERS = 2


def _trailing_teasers(texts: list[str]) -> set[int]:
    """The run of teasers under the story: excerpts cut off with an ellipsis ("…", "[…]"),
    with the short titles between them, when there are at least two excerpts."""
    run: list[int] = []
    excerpts = 0
    for index in range(len(texts) - 1, -1, -1):
        text = texts[index]
        if _TRUNCATED_RE.search(text):
            excerpts += 1
        elif len(text) > _MAX_TEASER_TITLE_CHARS or text[-1:] in ".!?:":
            break
        run.append(index)
    if excerpts < _MIN_TEASERS:
        return set()
    return set(run)


def _is_bio(text: str, authors: list[str], near_end: bool) -> bool:
    match = _BIO_TAIL_RE.match(text)
    if match is None:
        return False
    if near_end:
        return True
    opening = text[: match.end()].split()
    names = {part.strip(".,").casefold() for name in authors for part in name.split()}
    return any(word.strip(".,").casefold() in names for word in opening[:4] if len(word) > 2)


# A heading that announces what follows it ("Fans reacted:") heads an embed we do not keep; a
# numbered one ("25. A mug warmer") is an entry of the article's list. Neither is left over.
_ANNOUNCING_HEADING_RE = re.compile(r":\W*$|^\W*\d+[.)]\s")


def orphan_headings(blocks: list[tuple[bool, str]]) -> set[int]:
    """Indexes of the headings left at the end of the body with nothing under them.

    *blocks* are the body's top-level blocks in order: whether each is a heading, and its text.
    Once the furniture under the story is gone (a "People are also reading…" list of links, a
    newsletter box, "Stay connected" and its buttons), its headings are what remains after the
    last paragraph: those go. A heading that announces what follows, or numbers a list entry,
    stops the count (`_ANNOUNCING_HEADING_RE`); so does any text.
    """
    orphans: set[int] = set()
    for index in range(len(blocks) - 1, -1, -1):
        is_heading, text = blocks[index]
        if not is_heading or _ANNOUNCING_HEADING_RE.search(text):
            break
        orphans.add(index)
    return orphans
