//! Every article, topic and entity carries `url`, its page on the
//! newsroom's site, and feeds, sitemaps and JSON-LD link to the same one.

use newsdesk::urls::{ArticlePath, PublicUrls};
use serde_json::json;

use crate::helpers::{spawn_app_with, test_config};

async fn app_on(site: &str, article_path: &str) -> crate::helpers::TestApp {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir);
    config.urls = PublicUrls::new(site, ArticlePath::parse(article_path).unwrap());
    spawn_app_with(config, dir).await
}

#[tokio::test]
async fn an_article_url_is_dated_by_its_publication_on_the_default_template() {
    let app = app_on("https://news.example/", "/{yyyy}/{mm}/{dd}/{slug}").await;
    app.topic("World", None).await;
    app.entity("North Korea", "country").await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "G7 warns Pyongyang", "status": "published",
                   "published_at": "2024-05-31T09:00:00Z",
                   "topics": ["world"], "entities": ["north-korea"]}),
        )
        .await;
    assert_eq!(
        article["url"],
        "https://news.example/2024/05/31/g7-warns-pyongyang"
    );
    assert_eq!(
        article["topics"][0]["url"],
        "https://news.example/topics/world"
    );
    assert_eq!(
        article["entities"][0]["url"],
        "https://news.example/entities/north-korea"
    );
    let listed = app.get("/api/v1/articles").await;
    assert_eq!(listed.json["data"][0]["url"], article["url"]);
    let topic = app.get("/api/v1/topics/world").await;
    assert_eq!(topic.json["url"], "https://news.example/topics/world");
    let entity = app.get("/api/v1/entities/north-korea").await;
    assert_eq!(
        entity.json["url"],
        "https://news.example/entities/north-korea"
    );
}

#[tokio::test]
async fn feeds_sitemaps_and_json_ld_link_to_the_same_url() {
    let app = app_on("https://news.example", "/story/{id}-{slug}.html").await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "One", "status": "published"}),
        )
        .await;
    let url = format!("https://news.example/story/{}-one.html", article["id"]);
    assert_eq!(article["url"], url.as_str());
    let feed = app.get("/feeds/articles.json").await;
    assert_eq!(feed.json["items"][0]["url"], url.as_str());
    assert!(app.get("/feeds/articles.rss").await.text.contains(&url));
    assert!(
        app.get("/sitemaps/articles-1.xml")
            .await
            .text
            .contains(&url)
    );
    assert!(app.get("/sitemaps/news.xml").await.text.contains(&url));
    let jsonld = app
        .get(&format!("/api/v1/articles/{}/jsonld", article["id"]))
        .await;
    assert_eq!(jsonld.json["url"], url.as_str());
}

#[tokio::test]
async fn a_draft_url_is_dated_by_its_creation_until_it_is_published() {
    let app = app_on("https://news.example", "/{yyyy}/{mm}/{dd}/{slug}").await;
    let draft = app
        .create("/api/v1/articles", json!({"title": "Draft"}))
        .await;
    let created = draft["created_at"].as_str().unwrap();
    let day = &created[..10].replace('-', "/");
    assert!(
        draft["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{day}/draft")),
        "{}",
        draft["url"]
    );
    let published = app
        .patch(
            &format!("/api/v1/articles/{}", draft["id"]),
            &json!({"status": "published", "published_at": "2023-01-02T03:04:05Z"}),
        )
        .await;
    assert!(
        published.json["url"]
            .as_str()
            .unwrap()
            .ends_with("/2023/01/02/draft"),
        "{}",
        published.json
    );
}
