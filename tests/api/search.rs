//! Full-text search, typeahead, cursors and rendered bodies.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn story(app: &TestApp, slug: &str, title: &str, body: &str, entities: &[&str]) -> Value {
    app.create(
        "/api/v1/articles",
        json!({"slug": slug, "title": title, "body": body, "status": "published", "entities": entities}),
    )
    .await
}

async fn newsroom() -> TestApp {
    let app = spawn_app().await;
    app.create("/api/v1/entities", json!({"name": "North Korea", "kind": "country", "aliases": ["DPRK"], "country_code": "KP"})).await;
    app.create(
        "/api/v1/entities",
        json!({"name": "Russia", "kind": "country"}),
    )
    .await;
    story(
        &app,
        "tagged",
        "Pyongyang responds",
        "New sanctions were announced by the allies.",
        &["north-korea"],
    )
    .await;
    story(
        &app,
        "in-body",
        "Allies meet",
        "The summit discussed North Korea and sanctions on Russia.",
        &["russia"],
    )
    .await;
    story(
        &app,
        "unrelated",
        "Football results",
        "Sanctions on the referee were lifted.",
        &[],
    )
    .await;
    app
}

#[tokio::test]
async fn an_alias_of_a_tagged_entity_finds_the_article() {
    let app = newsroom().await;
    assert_eq!(
        app.slugs("/api/v1/articles?q=DPRK%20sanctions").await,
        ["tagged"]
    );
    assert_eq!(app.slugs("/api/v1/articles?q=dprk").await, ["tagged"]);
    let reply = app.get("/api/v1/articles?q=DPRK").await;
    assert!(reply.json["data"][0]["rank"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn results_come_by_tier_title_then_headline_then_body_newest_first() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/entities",
        json!({"name": "Sakhalin", "kind": "place"}),
    )
    .await;
    // Created oldest first: within a tier the newest comes first.
    let stories = [
        (
            "old-title",
            "Sakhalin gas deal signed",
            None,
            "Talks ended.",
            vec![],
        ),
        (
            "body-old",
            "Markets",
            None,
            "Traders watched Sakhalin closely.",
            vec![],
        ),
        (
            "tagged",
            "Energy talks",
            None,
            "Nothing named here.",
            vec!["sakhalin"],
        ),
        (
            "subtitle",
            "Pipeline news",
            Some("Sakhalin exports rise"),
            "More.",
            vec![],
        ),
        (
            "body-new",
            "Weather",
            None,
            "Snow fell on Sakhalin.",
            vec![],
        ),
        (
            "new-title",
            "Sakhalin ferry returns",
            None,
            "It sailed.",
            vec![],
        ),
    ];
    for (slug, title, subtitle, body, entities) in stories {
        app.create(
            "/api/v1/articles",
            json!({"slug": slug, "title": title, "subtitle": subtitle, "body": body,
                   "status": "published", "entities": entities}),
        )
        .await;
    }
    let order = [
        "new-title",
        "old-title",
        "subtitle",
        "tagged",
        "body-new",
        "body-old",
    ];
    assert_eq!(app.slugs("/api/v1/articles?q=sakhalin").await, order);
    let reply = app.get("/api/v1/articles?q=sakhalin").await;
    let ranks: Vec<f64> = reply.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["rank"].as_f64().unwrap())
        .collect();
    assert_eq!(ranks, [3.0, 3.0, 2.0, 2.0, 1.0, 1.0]);
    assert_eq!(reply.json["meta"]["total"], 6);
    // Offset pages cross the tiers where a tier runs out.
    for (page, expected) in order.chunks(4).enumerate() {
        assert_eq!(
            app.slugs(&format!(
                "/api/v1/articles?q=sakhalin&per_page=4&page={}",
                page + 1
            ))
            .await,
            expected
        );
    }
    assert_eq!(
        app.slugs("/api/v1/articles?q=sakhalin&per_page=1&page=5")
            .await,
        ["body-new"]
    );
    // Every word must be in the title for the title tier.
    assert_eq!(
        app.slugs("/api/v1/articles?q=sakhalin%20snow").await,
        ["body-new"]
    );
    // In another order, results still carry their tier as `rank`.
    let reply = app.get("/api/v1/articles?q=sakhalin&sort=title").await;
    assert_eq!(reply.json["data"][0]["slug"], "tagged");
    assert_eq!(reply.json["data"][0]["rank"], 2.0);
    assert_eq!(reply.json["data"][1]["slug"], "body-old");
    assert_eq!(reply.json["data"][1]["rank"], 1.0);
}

#[tokio::test]
async fn words_are_anded_and_quoted_phrases_match_as_phrases() {
    let app = newsroom().await;
    let mut both = app
        .slugs("/api/v1/articles?q=north%20korea%20sanctions")
        .await;
    both.sort();
    assert_eq!(both, ["in-body", "tagged"]);
    assert_eq!(
        app.slugs("/api/v1/articles?q=%22sanctions%20on%20russia%22")
            .await,
        ["in-body"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?q=%22russia%20on%20sanctions%22")
            .await,
        Vec::<String>::new()
    );
    assert_eq!(
        app.slugs("/api/v1/articles?q=sanction").await,
        Vec::<String>::new(),
        "no prefix matching"
    );
}

#[tokio::test]
async fn a_title_hit_ranks_above_a_body_hit() {
    let app = spawn_app().await;
    story(
        &app,
        "body-hit",
        "Weather report",
        "Later the minister mentioned Vladivostok briefly among many other words here.",
        &[],
    )
    .await;
    story(
        &app,
        "title-hit",
        "Vladivostok summit opens",
        "Leaders gather for talks among many other words here.",
        &[],
    )
    .await;
    assert_eq!(
        app.slugs("/api/v1/articles?q=vladivostok").await,
        ["title-hit", "body-hit"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?q=vladivostok&sort=title").await,
        ["title-hit", "body-hit"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?q=vladivostok&sort=-published_at")
            .await,
        ["title-hit", "body-hit"]
    );
}

#[tokio::test]
async fn search_combines_with_filters_and_respects_visibility() {
    let app = newsroom().await;
    app.create(
        "/api/v1/articles",
        json!({"slug": "draft", "title": "Sanctions draft", "body": "sanctions"}),
    )
    .await;
    assert_eq!(
        app.slugs("/api/v1/articles?q=sanctions&entity=russia")
            .await,
        ["in-body"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?q=sanctions&kind=country")
            .await
            .len(),
        2
    );
    assert!(
        !app.slugs("/api/v1/articles?q=sanctions")
            .await
            .contains(&"draft".to_owned())
    );
    assert!(
        app.slugs_as(&app.admin_token, "/api/v1/articles?q=sanctions")
            .await
            .contains(&"draft".to_owned())
    );
    let paged = app.get("/api/v1/articles?q=sanctions&per_page=2").await;
    assert_eq!(paged.header("x-total-count"), Some("3"));
    assert_eq!(paged.json["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_index_follows_edits_retagging_renames_and_deletes() {
    let app = newsroom().await;
    app.patch(
        "/api/v1/articles/unrelated",
        &json!({"body": "Now about Vladivostok."}),
    )
    .await;
    assert_eq!(
        app.slugs("/api/v1/articles?q=vladivostok").await,
        ["unrelated"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?q=referee").await,
        Vec::<String>::new()
    );
    app.patch(
        "/api/v1/articles/unrelated",
        &json!({"entities": ["north-korea"]}),
    )
    .await;
    let mut found = app.slugs("/api/v1/articles?q=dprk").await;
    found.sort();
    assert_eq!(found, ["tagged", "unrelated"]);
    app.patch(
        "/api/v1/entities/north-korea",
        &json!({"aliases": ["Hermit Kingdom"]}),
    )
    .await;
    assert_eq!(
        app.slugs("/api/v1/articles?q=dprk").await,
        Vec::<String>::new()
    );
    assert_eq!(app.slugs("/api/v1/articles?q=hermit").await.len(), 2);
    app.patch(
        "/api/v1/entities/russia",
        &json!({"name": "Russian Federation"}),
    )
    .await;
    assert_eq!(
        app.slugs("/api/v1/articles?q=federation").await,
        ["in-body"]
    );
    app.delete("/api/v1/entities/north-korea").await;
    assert_eq!(
        app.slugs("/api/v1/articles?q=hermit").await,
        Vec::<String>::new()
    );
    app.delete("/api/v1/articles/in-body").await;
    assert_eq!(
        app.slugs("/api/v1/articles?q=federation").await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn hostile_queries_are_handled_or_a_422_never_a_500() {
    let app = newsroom().await;
    for q in [
        "%22",
        "*",
        "NEAR(",
        "-",
        "sanctions*",
        "NOT%20sanctions",
        "a%20OR%20b",
        "title:x",
        "%22unclosed",
        "(((",
        "^",
        "%00",
        "'%20OR%201=1--",
    ] {
        let reply = app.get(&format!("/api/v1/articles?q={q}")).await;
        assert!(
            reply.status == 200 || reply.status == 422,
            "q={q}: {} {}",
            reply.status,
            reply.text
        );
        if reply.status == 422 {
            assert_eq!(reply.error_fields(), ["q"], "q={q}");
        }
    }
    app.get("/api/v1/articles?q=*").await.assert_problem(422);
    app.get(&format!("/api/v1/articles?q={}", "a".repeat(501)))
        .await
        .assert_problem(422);
    app.get("/api/v1/articles?sort=relevance")
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn typeahead_matches_name_and_alias_prefixes() {
    let app = newsroom().await;
    app.topic("Asia-Pacific", None).await;
    app.topic("Asylum", None).await;
    app.topic("Sport", None).await;
    assert_eq!(app.slugs("/api/v1/entities?q=dp").await, ["north-korea"]);
    assert_eq!(app.slugs("/api/v1/entities?q=nor").await, ["north-korea"]);
    assert_eq!(app.slugs("/api/v1/entities?q=RUS").await, ["russia"]);
    assert_eq!(
        app.slugs("/api/v1/entities?q=%25").await,
        Vec::<String>::new(),
        "% is not a wildcard"
    );
    assert_eq!(
        app.slugs("/api/v1/topics?q=as").await,
        ["asia-pacific", "asylum"]
    );
    assert_eq!(app.slugs("/api/v1/topics?q=_").await, Vec::<String>::new());
}

#[tokio::test]
async fn a_cursor_walk_sees_every_article_once_while_others_are_added() {
    let app = spawn_app().await;
    for n in 0..120 {
        // Many share a timestamp, so that ties on published_at are exercised.
        let at = format!("2024-05-{:02}T09:00:00Z", 1 + n % 20);
        app.create(
            "/api/v1/articles",
            json!({"title": format!("Story {n}"), "status": "published", "published_at": at}),
        )
        .await;
    }
    for sort in ["-published_at", "published_at", "title", "-updated_at"] {
        let mut seen: Vec<i64> = Vec::new();
        let mut url = format!("/api/v1/articles?sort={sort}&per_page=7");
        let mut added = 0;
        loop {
            let reply = app.get(&url).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            seen.extend(
                reply.json["data"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["id"].as_i64().unwrap()),
            );
            // Someone publishes between every two pages.
            app.create(
                "/api/v1/articles",
                json!({"title": format!("Breaking {sort} {added}"), "status": "published"}),
            )
            .await;
            added += 1;
            match reply.json["meta"]["next_cursor"].as_str() {
                Some(cursor) => {
                    url = format!("/api/v1/articles?sort={sort}&per_page=7&cursor={cursor}")
                }
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            unique.len(),
            seen.len(),
            "{sort}: an article was seen twice"
        );
        let original: Vec<i64> = (1..=120).collect();
        assert!(
            original.iter().all(|id| seen.contains(id)),
            "{sort}: an article was skipped"
        );
    }
}

#[tokio::test]
async fn a_cursor_belongs_to_its_query() {
    let app = spawn_app().await;
    for n in 0..5 {
        app.create(
            "/api/v1/articles",
            json!({"title": format!("Story {n}"), "status": "published"}),
        )
        .await;
    }
    let first = app.get("/api/v1/articles?per_page=2").await;
    let cursor = first.json["meta"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let second = app
        .get(&format!("/api/v1/articles?per_page=2&cursor={cursor}"))
        .await;
    assert_eq!(second.status, 200);
    assert!(second.json["meta"].get("page").is_none());
    let next = second.json["meta"]["next_cursor"].as_str().unwrap();
    assert!(
        second
            .header("link")
            .unwrap()
            .contains(&format!("cursor={next}>; rel=\"next\""))
    );
    for other in [
        format!("/api/v1/articles?per_page=2&sort=title&cursor={cursor}"),
        format!("/api/v1/articles?per_page=2&source=AFP&cursor={cursor}"),
        "/api/v1/articles?cursor=nonsense".to_owned(),
        "/api/v1/articles?cursor=7b7d".to_owned(),
    ] {
        let reply = app.get(&other).await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), ["cursor"], "{other}");
    }
    app.get(&format!("/api/v1/articles?page=2&cursor={cursor}"))
        .await
        .assert_problem(422);
    let staff = app
        .get_as(
            &app.admin_token,
            &format!("/api/v1/articles?per_page=2&cursor={cursor}"),
        )
        .await;
    staff.assert_problem(422);
}

#[tokio::test]
async fn a_relevance_cursor_pages_through_all_results() {
    let app = spawn_app().await;
    for n in 0..25 {
        let body = "sanctions ".repeat(1 + n % 4);
        app.create(
            "/api/v1/articles",
            json!({"title": format!("Story {n}"), "body": body, "status": "published"}),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut url = "/api/v1/articles?q=sanctions&per_page=4".to_owned();
    let mut last_rank = f64::MAX;
    loop {
        let reply = app.get(&url).await;
        for item in reply.json["data"].as_array().unwrap() {
            let rank = item["rank"].as_f64().unwrap();
            assert!(rank <= last_rank, "ranks never increase");
            last_rank = rank;
            seen.push(item["id"].as_i64().unwrap());
        }
        match reply.json["meta"]["next_cursor"].as_str() {
            Some(cursor) => {
                url = format!("/api/v1/articles?q=sanctions&per_page=4&cursor={cursor}")
            }
            None => break,
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=25).collect::<Vec<i64>>());
}

#[tokio::test]
async fn bodies_are_rendered_once_and_sanitised() {
    let app = spawn_app().await;
    let payloads = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<svg onload=alert(1)>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<body onload=alert(1)>",
        "<object data=\"javascript:alert(1)\"></object>",
        "![x](javascript:alert(1))",
        "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    ];
    for (n, payload) in payloads.iter().enumerate() {
        let article = app
            .create("/api/v1/articles", json!({"title": format!("Payload {n}"), "body": format!("# Heading\n\n**bold** {payload}")}))
            .await;
        let html = article["body_html"].as_str().unwrap().to_lowercase();
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        for bad in [
            "<script",
            "onerror",
            "onload",
            "javascript:",
            "<iframe",
            "<object",
            "<form",
            "style=",
        ] {
            assert!(!html.contains(bad), "{payload} left {bad} in {html}");
        }
        assert_eq!(
            article["body"],
            format!("# Heading\n\n**bold** {payload}"),
            "the Markdown is kept as written"
        );
    }
    let list = app
        .get_as(&app.admin_token, "/api/v1/articles?status=draft")
        .await;
    assert!(list.json["data"][0].get("body_html").is_none());
    let _ = Method::GET;
}

/// The ids of every page of `query`, walked by `next_cursor` (at most 50
/// pages, so that a cursor that comes back for ever fails the test).
async fn cursor_walk(app: &TestApp, query: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    let mut url = format!("/api/v1/articles?{query}");
    for _ in 0..50 {
        let reply = app.get(&url).await;
        assert_eq!(reply.status, 200, "{url}: {}", reply.text);
        seen.extend(
            reply.json["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_i64().unwrap()),
        );
        match reply.json["meta"]["next_cursor"].as_str() {
            Some(cursor) => url = format!("/api/v1/articles?{query}&cursor={cursor}"),
            None => return seen,
        }
    }
    panic!("{query}: the cursor walk did not end; saw {seen:?}");
}

/// The ids of every page of `query`, walked by page number.
async fn page_walk(app: &TestApp, query: &str) -> Vec<i64> {
    let mut seen = Vec::new();
    for page in 1..=50 {
        let reply = app
            .get(&format!("/api/v1/articles?{query}&page={page}"))
            .await;
        let data = reply.json["data"].as_array().unwrap().clone();
        if data.is_empty() {
            break;
        }
        seen.extend(data.iter().map(|item| item["id"].as_i64().unwrap()));
    }
    seen
}

#[tokio::test]
async fn a_cursor_walk_sees_every_match_once_on_tied_ranks_and_every_sort() {
    let app = spawn_app().await;
    for n in 0..3 {
        app.create(
            "/api/v1/articles",
            json!({"title": format!("Tied {n}"), "body": "snarkleberry", "status": "published"}),
        )
        .await;
    }
    for n in 0..3 {
        app.create(
            "/api/v1/articles",
            json!({"title": format!("Other {n}"), "body": "snarkleberry snarkleberry jam", "status": "published"}),
        )
        .await;
    }
    for query in [
        "q=snarkleberry&per_page=1",
        "q=snarkleberry&per_page=2",
        "q=snarkleberry&per_page=1&sort=title",
        "q=snarkleberry&per_page=1&sort=-updated_at",
        "q=snarkleberry&per_page=1&sort=published_at",
        "q=snarkleberry&per_page=1&sort=-published_at",
        "per_page=1&sort=title",
    ] {
        let walked = cursor_walk(&app, query).await;
        assert_eq!(walked, page_walk(&app, query).await, "{query}");
        let mut distinct = walked.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(
            (walked.len(), distinct.len()),
            (6, 6),
            "{query}: {walked:?}"
        );
    }
}

#[tokio::test]
async fn a_cursor_from_the_explicit_default_sort_works_without_it() {
    let app = spawn_app().await;
    for n in 0..3 {
        app.create(
            "/api/v1/articles",
            json!({"title": format!("Story {n}"), "status": "published"}),
        )
        .await;
    }
    let first = app
        .get("/api/v1/articles?per_page=1&sort=-published_at")
        .await;
    let cursor = first.json["meta"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let next = app
        .get(&format!("/api/v1/articles?per_page=1&cursor={cursor}"))
        .await;
    assert_eq!(next.status, 200, "{}", next.text);
    let explicit = app
        .get(&format!(
            "/api/v1/articles?per_page=1&sort=-published_at&cursor={cursor}"
        ))
        .await;
    assert_eq!(next.json["data"], explicit.json["data"]);
    // With q, no sort means relevance, and takes a relevance cursor.
    let searched = app
        .get("/api/v1/articles?q=story&per_page=1&sort=relevance")
        .await;
    let cursor = searched.json["meta"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let reply = app
        .get(&format!(
            "/api/v1/articles?q=story&per_page=1&cursor={cursor}"
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    // Another order is still another list.
    let other = app
        .get(&format!(
            "/api/v1/articles?per_page=1&sort=title&cursor={cursor}"
        ))
        .await;
    other.assert_problem(422);
}
