//! Atom feeds, parsed back as XML.

use atom_syndication::Feed;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_feeds_list_the_newest_published_articles_as_atom() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.topic("Asia", Some("world")).await;
    app.create(
        "/api/v1/entities",
        json!({"name": "North Korea", "kind": "country"}),
    )
    .await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Kim & the G7 <allies>", "summary": "A summary", "byline": "Staff", "status": "published",
               "published_at": "2024-05-31T09:00:00Z", "topics": ["asia"], "entities": ["north-korea"]}),
    )
    .await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Sport", "status": "published", "published_at": "2024-06-01T09:00:00Z"}),
    )
    .await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Secret draft", "topics": ["asia"]}),
    )
    .await;

    let reply = app.get("/feeds/articles.atom").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    assert_eq!(reply.header("cache-control"), Some("public, max-age=60"));
    let feed: Feed = reply.text.parse().expect("valid Atom");
    let titles: Vec<&str> = feed.entries().iter().map(|e| e.title().as_str()).collect();
    assert_eq!(titles, ["Sport", "Kim & the G7 <allies>"]);
    let kim = &feed.entries()[1];
    assert_eq!(
        kim.links()[0].href(),
        format!("http://127.0.0.1:0/api/v1/articles/kim-the-g7-allies")
    );
    assert_eq!(kim.summary().unwrap().as_str(), "A summary");
    assert_eq!(kim.authors()[0].name(), "Staff");
    assert_eq!(
        kim.published().unwrap().to_rfc3339(),
        "2024-05-31T09:00:00+00:00"
    );
    let terms: Vec<&str> = kim.categories().iter().map(|c| c.term()).collect();
    assert_eq!(terms, ["asia", "north-korea"]);

    let world: Feed = app
        .get("/feeds/topics/world.atom")
        .await
        .text
        .parse()
        .unwrap();
    assert_eq!(world.entries().len(), 1, "a topic feed includes subtopics");
    assert_eq!(world.title().as_str(), "newsdesk: World");
    let korea: Feed = app
        .get("/feeds/entities/north-korea.atom")
        .await
        .text
        .parse()
        .unwrap();
    assert_eq!(korea.entries().len(), 1);
    app.get("/feeds/topics/atlantis.atom")
        .await
        .assert_problem(404);
    app.get("/feeds/entities/mordor.atom")
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn a_feed_answers_304_until_it_changes() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/articles",
        json!({"title": "One", "status": "published"}),
    )
    .await;
    let first = app.get("/feeds/articles.atom").await;
    let etag = first.header("etag").unwrap().to_owned();
    let again = app
        .send(
            app.client
                .get(app.url("/feeds/articles.atom"))
                .header("if-none-match", &etag),
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
    app.create(
        "/api/v1/articles",
        json!({"title": "Two", "status": "published"}),
    )
    .await;
    let changed = app
        .send(
            app.client
                .get(app.url("/feeds/articles.atom"))
                .header("if-none-match", &etag),
        )
        .await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag").unwrap(), etag);
}

#[tokio::test]
async fn feed_links_follow_the_public_url() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(&dir);
    config.public_url = Some("https://news.example/articles".to_owned());
    let app = crate::helpers::spawn_app_with(config, dir).await;
    app.create(
        "/api/v1/articles",
        json!({"title": "One", "status": "published"}),
    )
    .await;
    let feed: Feed = app.get("/feeds/articles.atom").await.text.parse().unwrap();
    assert_eq!(
        feed.entries()[0].links()[0].href(),
        "https://news.example/articles/one"
    );
}

#[tokio::test]
async fn entries_carry_the_sanitised_body_as_html_content() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/articles",
        json!({"title": "No summary", "status": "published",
               "body": "PYONGYANG - **Rejected** the statement.\n\n<script>alert(1)</script><a href=\"javascript:alert(2)\">x</a>"}),
    )
    .await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Empty body", "status": "published", "published_at": "2024-01-01T00:00:00Z"}),
    )
    .await;
    let reply = app.get("/feeds/articles.atom").await;
    let feed: Feed = reply.text.parse().expect("valid Atom");
    let entry = &feed.entries()[0];
    assert_eq!(entry.title().as_str(), "No summary");
    let content = entry.content().expect("a <content> element");
    assert_eq!(content.content_type(), Some("html"));
    let html = content.value().unwrap();
    assert!(html.contains("<strong>Rejected</strong>"), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    // The same HTML as the article's body_html.
    let article = app.get("/api/v1/articles/no-summary").await;
    assert_eq!(html, article.json["body_html"].as_str().unwrap());
    assert!(
        feed.entries()[1].content().is_none(),
        "no empty <content> for an empty body"
    );
}

#[tokio::test]
async fn every_feed_link_is_absolute_and_the_self_link_names_the_feed() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.create(
        "/api/v1/articles",
        json!({"title": "One", "status": "published", "topics": ["world"]}),
    )
    .await;
    for path in ["/feeds/articles.atom", "/feeds/topics/world.atom"] {
        let feed: Feed = app.get(path).await.text.parse().unwrap();
        let links: Vec<(&str, &str)> = feed
            .links()
            .iter()
            .chain(feed.entries().iter().flat_map(|entry| entry.links()))
            .map(|link| (link.rel(), link.href()))
            .collect();
        assert!(!links.is_empty());
        for (_, href) in &links {
            assert!(href.starts_with("http://127.0.0.1:"), "{path}: {href}");
        }
        let own = links.iter().find(|(rel, _)| *rel == "self").unwrap().1;
        assert_eq!(own, app.url(path), "{path}");
    }

    // A client's forwarding headers are not believed: it is no trusted proxy.
    let reply = app
        .send(
            app.client
                .get(app.url("/feeds/articles.atom"))
                .header("x-forwarded-host", "evil.example")
                .header("x-forwarded-proto", "https"),
        )
        .await;
    let feed: Feed = reply.text.parse().unwrap();
    assert_eq!(feed.links()[0].href(), app.url("/feeds/articles.atom"));
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_self_link_is_the_public_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(&dir);
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let app = crate::helpers::spawn_app_with(config, dir).await;
    let reply = app
        .send(
            app.client
                .get(app.url("/feeds/articles.atom"))
                .header("x-forwarded-host", "news.example")
                .header("x-forwarded-proto", "https"),
        )
        .await;
    let feed: Feed = reply.text.parse().unwrap();
    assert_eq!(
        feed.links()[0].href(),
        "https://news.example/feeds/articles.atom"
    );
}
