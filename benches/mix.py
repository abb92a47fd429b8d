#!/usr/bin/env python3
"""Lists the public URLs of the "mix" benchmark, most popular first.

    python3 benches/mix.py DB PATHS WRITER_JSON

reads the seeded database (read-only, python3's sqlite3 module) and writes
PATHS, one path a line, ranked by popularity: benches/wrk/mix.lua asks for
the path of rank i with probability proportional to 1/(i+1)^s. Also writes
WRITER_JSON, what benches/writer.py tags and edits (topic and entity slugs,
the newest articles), and prints a count per kind of URL to stderr.

The ranking interleaves the kinds of URL by their share of a news site's
traffic (articles most, then section pages, entity pages, searches, comment
threads...), and within each kind puts first what readers ask for most: the
newest stories, the top-level sections, the entities with the most stories.
Deterministic: the same database gives the same file.
"""

import json
import random
import sqlite3
import sys
from collections import Counter
from urllib.parse import quote

API = "/api/v1"
KINDS = ["country", "organisation", "person", "place"]

# Relative share of traffic of each kind of URL, as density in the ranking.
SHARES = {
    "article": 40,
    "comments": 8,
    "topic_page": 12,
    "topic_page_2": 3,
    "entity_page": 8,
    "entity_page_2": 2,
    "entity_pair": 3,
    "kind": 2,
    "search_1": 5,
    "search_2": 3,
    "topic_object": 3,
    "entity_object": 3,
    "feed": 2,
}


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: mix.py DB PATHS WRITER_JSON")
    db, paths_file, writer_file = sys.argv[1:]
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rng = random.Random(20241202)
    public = "status = 'published'"

    newest = [
        (row[0], row[1], row[2])
        for row in conn.execute(
            f"SELECT id, slug, title FROM articles WHERE {public} "
            "ORDER BY published_at DESC, id DESC"
        )
    ]
    # Recent stories get most reads; a long tail of the archive gets some.
    recent = newest[:2000]
    archive = rng.sample(newest[2000:], min(1000, max(0, len(newest) - 2000)))
    article_slugs = [slug for _, slug, _ in recent + archive]

    # Top-level sections first (they are on every page's menu), then the rest.
    topics = [
        row[0]
        for row in conn.execute(
            "SELECT slug FROM topics ORDER BY parent_id IS NOT NULL, id"
        )
    ]
    # Entities with the most stories first.
    entities = [
        (row[0], row[1])
        for row in conn.execute(
            "SELECT e.slug, e.kind FROM entities e "
            "LEFT JOIN article_entities ae ON ae.entity_id = e.id "
            "GROUP BY e.id ORDER BY count(ae.article_id) DESC, e.id"
        )
    ]
    entity_slugs = [slug for slug, _ in entities]

    # Pairs of entities that recent stories are about together (so that
    # each pair matches at least one story), newest first.
    pairs = []
    seen = set()
    for article_id, _, _ in newest[:3000]:
        tagged = [
            row[0]
            for row in conn.execute(
                "SELECT e.slug FROM article_entities ae "
                "JOIN entities e ON e.id = ae.entity_id "
                "WHERE ae.article_id = ? ORDER BY e.id LIMIT 2",
                (article_id,),
            )
        ]
        if len(tagged) == 2 and tuple(tagged) not in seen:
            seen.add(tuple(tagged))
            pairs.append(tagged)
        if len(pairs) == 300:
            break

    # Search words that occur: taken from the titles of stories, so every
    # one-word search matches; two-word searches pair words of one title.
    word_counts = Counter()
    titled = [title for _, _, title in newest]
    for title in titled:
        word_counts.update(
            {w.lower() for w in title.split() if w.isalpha() and len(w) > 2}
        )
    by_frequency = [w for w, _ in word_counts.most_common()]
    # A spread over the frequency ranks: common words and rare ones.
    one_word = by_frequency[:200] + rng.sample(
        by_frequency[200:], min(300, max(0, len(by_frequency) - 200))
    )
    two_words = []
    seen = set()
    for title in rng.sample(titled, min(2000, len(titled))):
        words = [w.lower() for w in title.split() if w.isalpha() and len(w) > 2]
        if len(words) >= 2:
            pair = tuple(rng.sample(words, 2))
            if pair[0] != pair[1] and pair not in seen:
                seen.add(pair)
                two_words.append(pair)
        if len(two_words) == 300:
            break

    kinds = [f"{API}/articles?kind={k}" for k in KINDS]
    kinds += [f"{API}/articles?kind={k}&page=2" for k in KINDS]
    kinds += [f"{API}/articles?kind={k}&topic={t}" for t in topics[:10] for k in KINDS]

    lists = {
        "article": [f"{API}/articles/{s}" for s in article_slugs],
        "comments": [f"{API}/articles/{s}/comments" for s in article_slugs[:1000]],
        "topic_page": [f"{API}/articles?topic={t}" for t in topics],
        "topic_page_2": [f"{API}/articles?topic={t}&page=2" for t in topics],
        "entity_page": [f"{API}/articles?entity={e}" for e in entity_slugs],
        "entity_page_2": [f"{API}/articles?entity={e}&page=2" for e in entity_slugs],
        "entity_pair": [f"{API}/articles?entity={a},{b}" for a, b in pairs],
        "kind": kinds,
        "search_1": [f"{API}/articles?q={quote(w)}" for w in one_word],
        "search_2": [f"{API}/articles?q={quote(a + ' ' + b)}" for a, b in two_words],
        "topic_object": [f"{API}/topics/{t}" for t in topics],
        "entity_object": [f"{API}/entities/{e}" for e in entity_slugs],
        "feed": ["/feeds/articles.atom"]
        + [f"/feeds/topics/{t}.atom" for t in topics[:50]]
        + [f"/feeds/entities/{e}.atom" for e in entity_slugs[:50]],
    }

    # The front page and its next pages lead; then every kind interleaved
    # by its share: item j of a kind sits at (j + 0.5) / share.
    ranked = [
        (0.0, f"{API}/articles"),
        (0.1, f"{API}/articles?page=2"),
        (0.2, f"{API}/articles?page=3"),
    ]
    for kind, paths in lists.items():
        share = SHARES[kind]
        ranked += [((j + 0.5) / share, path) for j, path in enumerate(paths)]
    ranked.sort(key=lambda item: item[0])
    paths = []
    unique = set()
    for _, path in ranked:
        if path not in unique:
            unique.add(path)
            paths.append(path)
    with open(paths_file, "w", encoding="utf-8") as out:
        out.write("\n".join(paths) + "\n")

    counts = ", ".join(f"{kind} {len(paths)}" for kind, paths in lists.items())
    print(f"mix: {len(paths)} distinct URLs (front pages 3, {counts})", file=sys.stderr)

    writer = {
        "topics": topics,
        "entities": entity_slugs,
        # The stories an editor is still working on: the newest ones.
        "recent_ids": [article_id for article_id, _, _ in newest[:50]],
        # Where readers comment: the most read stories.
        "comment_slugs": article_slugs[:200],
        "words": by_frequency[:1000],
    }
    with open(writer_file, "w", encoding="utf-8") as out:
        json.dump(writer, out)


if __name__ == "__main__":
    main()
