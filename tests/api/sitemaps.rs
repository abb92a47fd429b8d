//! Sitemaps: the index, article sitemaps by id range, the news sitemap;
//! read back as XML and validated with `xmllint --schema` against the
//! sitemaps.org and Google News schemas (tests/fixtures/xsd).

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::helpers::TestApp;
use crate::xml;

fn xsd(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/xsd")
        .join(name)
}

/// Whether `xmllint` can be run; with CI set it must be (`.ci/run`
/// installs libxml2-utils).
fn have_xmllint() -> bool {
    let found = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs xmllint (libxml2-utils, see .ci/run): the sitemaps must be validated there"
        );
        eprintln!("SKIPPED schema validation: no xmllint (apt-get install libxml2-utils)");
    }
    found
}

/// `xmllint --schema`'s verdict on `document`: Ok, or its complaint.
fn validate(document: &str, schema: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("document.xml");
    std::fs::write(&file, document).unwrap();
    let output = std::process::Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(xsd(schema))
        .arg(Path::new(&file))
        .output()
        .unwrap();
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

fn assert_valid(document: &str, schema: &str) {
    if let Err(complaint) = validate(document, schema) {
        panic!("not valid against {schema}: {complaint}\n{document}");
    }
}

/// A server whose article sitemaps hold two ids each.
async fn spawn_paged() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(&dir);
    config.sitemap_page_size = 2;
    config.publication_name = "The Newsdesk Times".to_owned();
    config.publication_language = "fr".to_owned();
    crate::helpers::spawn_app_with(config, dir).await
}

/// Creates an article; returns its id.
async fn article(app: &TestApp, title: &str, extra: serde_json::Value) -> i64 {
    let mut body = json!({"title": title});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    app.create("/api/v1/articles", body).await["id"]
        .as_i64()
        .unwrap()
}

fn locs(node: &xml::Node, element: &str) -> Vec<String> {
    node.all(element)
        .iter()
        .map(|child| child.text_of("loc").to_owned())
        .collect()
}

#[tokio::test]
async fn the_index_lists_article_sitemaps_by_id_range_and_the_news_sitemap() {
    let app = spawn_paged().await;
    let published = json!({"status": "published"});
    let draft = json!({});
    // Ids 1 to 9: ranges of two, the range 7-8 holds only drafts.
    let mut ids = Vec::new();
    for (title, extra) in [
        ("One", published.clone()),
        ("Two draft", draft.clone()),
        ("Three", published.clone()),
        ("Four", published.clone()),
        ("Five", published.clone()),
        (
            "Six old",
            json!({"status": "published", "published_at": "2024-05-31T09:00:00Z"}),
        ),
        ("Seven draft", draft.clone()),
        ("Eight draft", draft.clone()),
        ("Nine & <ten>", published.clone()),
    ] {
        ids.push(article(&app, title, extra).await);
    }
    assert_eq!(ids, (1..=9).collect::<Vec<_>>());

    let reply = app.get("/sitemap.xml").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    assert_eq!(reply.header("cache-control"), Some("public, max-age=60"));
    assert!(reply.header("etag").is_some());
    let index = xml::parse(&reply.text);
    assert_eq!(index.name, "sitemapindex");
    assert_eq!(
        index.attribute("xmlns"),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let listed = locs(&index, "sitemap");
    assert_eq!(
        listed,
        [
            app.url("/sitemaps/articles-1.xml"),
            app.url("/sitemaps/articles-2.xml"),
            app.url("/sitemaps/articles-3.xml"),
            app.url("/sitemaps/articles-5.xml"),
            app.url("/sitemaps/news.xml"),
        ],
        "the range of drafts only is left out"
    );
    let xmllint = have_xmllint();
    if xmllint {
        assert_valid(&reply.text, "siteindex.xsd");
    }

    // Every listed article sitemap, read through: each public article once.
    let mut seen = Vec::new();
    for loc in &listed[..4] {
        let path = loc.strip_prefix(&app.address).unwrap();
        let reply = app.get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(
            reply.header("content-type"),
            Some("application/xml; charset=utf-8")
        );
        let urlset = xml::parse(&reply.text);
        assert_eq!(urlset.name, "urlset");
        let urls = urlset.all("url");
        assert!((1..=2).contains(&urls.len()), "{path}: {}", reply.text);
        for url in urls {
            let lastmod = url.text_of("lastmod");
            assert!(
                chrono::DateTime::parse_from_rfc3339(lastmod).is_ok(),
                "{lastmod}"
            );
            seen.push((url.text_of("loc").to_owned(), lastmod.to_owned()));
        }
        if xmllint {
            assert_valid(&reply.text, "sitemap.xsd");
        }
    }
    let slugs = ["one", "three", "four", "five", "six-old", "nine-ten"];
    let expected: Vec<String> = slugs
        .iter()
        .map(|slug| format!("http://127.0.0.1:0/api/v1/articles/{slug}"))
        .collect();
    let found: Vec<&str> = seen.iter().map(|(loc, _)| loc.as_str()).collect();
    assert_eq!(found, expected, "public articles only, by id");
    // lastmod is when the article last changed.
    let four = app.get("/api/v1/articles/four").await.json;
    let updated = chrono::DateTime::parse_from_rfc3339(four["updated_at"].as_str().unwrap())
        .unwrap()
        .timestamp();
    let lastmod = chrono::DateTime::parse_from_rfc3339(&seen[2].1)
        .unwrap()
        .timestamp();
    assert_eq!(lastmod, updated);
}

#[tokio::test]
async fn article_sitemaps_the_index_does_not_list_are_404() {
    let app = spawn_paged().await;
    article(&app, "One", json!({"status": "published"})).await;
    article(&app, "Two", json!({})).await;
    article(&app, "Three", json!({})).await;
    assert_eq!(app.get("/sitemaps/articles-1.xml").await.status, 200);
    for path in [
        "/sitemaps/articles-0.xml",
        "/sitemaps/articles-2.xml",
        "/sitemaps/articles-99999999999999999999.xml",
        "/sitemaps/articles-x.xml",
        "/sitemaps/articles--1.xml",
        "/sitemaps/articles-+1.xml",
        "/sitemaps/articles-01.xml",
    ] {
        app.get(path).await.assert_problem(404);
    }
    // Unpublishing the only public article empties its page.
    app.patch("/api/v1/articles/one", &json!({"status": "draft"}))
        .await;
    app.get("/sitemaps/articles-1.xml")
        .await
        .assert_problem(404);
    let index = xml::parse(&app.get("/sitemap.xml").await.text);
    assert_eq!(locs(&index, "sitemap"), [app.url("/sitemaps/news.xml")]);
}

#[tokio::test]
async fn the_news_sitemap_holds_what_was_published_in_the_last_48_hours() {
    let app = spawn_paged().await;
    let now = chrono::Utc::now();
    let at = |hours: i64| (now - chrono::Duration::hours(hours)).to_rfc3339();
    article(
        &app,
        "Fresh & <new>",
        json!({"status": "published", "published_at": at(1)}),
    )
    .await;
    article(
        &app,
        "Yesterday",
        json!({"status": "published", "published_at": at(30)}),
    )
    .await;
    article(
        &app,
        "Three days old",
        json!({"status": "published", "published_at": at(72)}),
    )
    .await;
    article(&app, "A draft", json!({})).await;
    article(&app, "Not yet", json!({"status": "scheduled", "published_at": (now + chrono::Duration::hours(2)).to_rfc3339()})).await;

    let reply = app.get("/sitemaps/news.xml").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    let urlset = xml::parse(&reply.text);
    assert_eq!(
        urlset.attribute("xmlns:news"),
        Some("http://www.google.com/schemas/sitemap-news/0.9")
    );
    let urls = urlset.all("url");
    let titles: Vec<&str> = urls
        .iter()
        .map(|url| url.one("news:news").text_of("news:title"))
        .collect();
    assert_eq!(titles, ["Fresh & <new>", "Yesterday"], "newest first");
    let fresh = urls[0];
    assert_eq!(
        fresh.text_of("loc"),
        "http://127.0.0.1:0/api/v1/articles/fresh-new"
    );
    let news = fresh.one("news:news");
    let publication = news.one("news:publication");
    assert_eq!(publication.text_of("news:name"), "The Newsdesk Times");
    assert_eq!(publication.text_of("news:language"), "fr");
    let date = chrono::DateTime::parse_from_rfc3339(news.text_of("news:publication_date")).unwrap();
    assert!((date.timestamp() - (now.timestamp() - 3600)).abs() <= 1);
    if have_xmllint() {
        assert_valid(&reply.text, "sitemap-with-news.xsd");
    }
}

#[test]
fn the_schemas_reject_what_is_not_a_sitemap() {
    if !have_xmllint() {
        return;
    }
    let ns = "http://www.sitemaps.org/schemas/sitemap/0.9";
    let no_loc =
        format!("<urlset xmlns=\"{ns}\"><url><lastmod>2024-05-31</lastmod></url></urlset>");
    assert!(validate(&no_loc, "sitemap.xsd").is_err());
    let bad_date = format!(
        "<urlset xmlns=\"{ns}\"><url><loc>https://news.example/a</loc><lastmod>31 May 2024</lastmod></url></urlset>"
    );
    assert!(validate(&bad_date, "sitemap.xsd").is_err());
    let news = format!(
        "<urlset xmlns=\"{ns}\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\"><url><loc>https://news.example/a</loc><news:news><news:publication><news:name>X</news:name><news:language>English</news:language></news:publication><news:publication_date>2024-05-31</news:publication_date><news:title>A</news:title></news:news></url></urlset>"
    );
    assert!(validate(&news, "sitemap-with-news.xsd").is_err());
    assert!(validate(&news.replace("English", "en"), "sitemap-with-news.xsd").is_ok());
    let index = format!(
        "<sitemapindex xmlns=\"{ns}\"><sitemap><lastmod>2024-05-31</lastmod></sitemap></sitemapindex>"
    );
    assert!(validate(&index, "siteindex.xsd").is_err());
}

#[tokio::test]
async fn a_scheduled_article_joins_the_sitemaps_when_its_time_comes() {
    let app = spawn_paged().await;
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    article(
        &app,
        "Embargoed",
        json!({"status": "scheduled", "published_at": due.to_rfc3339()}),
    )
    .await;
    let index = xml::parse(&app.get("/sitemap.xml").await.text);
    assert_eq!(locs(&index, "sitemap"), [app.url("/sitemaps/news.xml")]);
    app.get("/sitemaps/articles-1.xml")
        .await
        .assert_problem(404);
    assert!(
        !app.get("/sitemaps/news.xml")
            .await
            .text
            .contains("Embargoed")
    );
    tokio::time::sleep(std::time::Duration::from_millis(2000)).await;
    // No write in between: public at read time, still `scheduled` in the table.
    let index = xml::parse(&app.get("/sitemap.xml").await.text);
    assert_eq!(
        locs(&index, "sitemap"),
        [
            app.url("/sitemaps/articles-1.xml"),
            app.url("/sitemaps/news.xml")
        ]
    );
    let page = xml::parse(&app.get("/sitemaps/articles-1.xml").await.text);
    assert_eq!(
        locs(&page, "url"),
        ["http://127.0.0.1:0/api/v1/articles/embargoed"]
    );
    assert!(
        app.get("/sitemaps/news.xml")
            .await
            .text
            .contains("Embargoed")
    );
}
