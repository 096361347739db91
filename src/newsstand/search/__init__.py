"""Search: full text over articles' titles, bylines, summaries and bodies, ranked by relevance
and recency, with snippets that respect the full-text gate. See docs/manual-reader.md, "Search"."""
