use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// A newsroom in miniature: World › Asia, Sport; North Korea, Russia (countries), G7 (organisation).
async fn newsroom() -> TestApp {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.topic("Asia", Some("world")).await;
    app.topic("Korea", Some("asia")).await;
    app.topic("Sport", None).await;
    app.create("/api/v1/entities", json!({"name": "North Korea", "kind": "country", "country_code": "KP", "aliases": ["DPRK"]})).await;
    app.create(
        "/api/v1/entities",
        json!({"name": "Russia", "kind": "country", "country_code": "RU"}),
    )
    .await;
    app.entity("G7", "organisation").await;
    app.entity("Kim Jong Un", "person").await;
    app
}

async fn published(
    app: &TestApp,
    slug: &str,
    published_at: &str,
    topics: &[&str],
    entities: &[&str],
) -> Value {
    app.create(
        "/api/v1/articles",
        json!({"title": slug, "slug": slug, "status": "published", "published_at": published_at, "topics": topics, "entities": entities}),
    )
    .await
}

#[tokio::test]
async fn create_answers_201_with_location_and_every_field() {
    let app = newsroom().await;
    let body = "# North Korea warns G7\n\nPYONGYANG (AFP) - North Korea on Sunday **rejected** the statement.";
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({
                "title": "North Korea warns G7 over Russia ties",
                "subtitle": "Pyongyang rejects the allies' statement",
                "summary": "A short card text.",
                "body": body,
                "status": "published",
                "published_at": "2024-05-31T11:00:00+02:00",
                "source": "AFP",
                "byline": "Staff and agencies",
                "topics": ["world", "asia"],
                "entities": ["g7", "russia", "north-korea", "kim-jong-un"],
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let article = &reply.json;
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/articles/{}", article["id"]).as_str())
    );
    assert_eq!(article["slug"], "north-korea-warns-g7-over-russia-ties");
    assert_eq!(
        article["published_at"], "2024-05-31T09:00:00Z",
        "stored and shown in UTC"
    );
    assert_eq!(
        article["author"],
        json!({"id": 2, "slug": "administrator", "display_name": "Administrator",
               "url": "http://127.0.0.1:0/authors/administrator"}),
    );
    assert_eq!(article["version"], 1);
    assert_eq!(article["comments_open"], true);
    assert_eq!(article["comment_count"], 0);
    assert_eq!(article["word_count"], 13);
    assert_eq!(article["reading_time_minutes"], 1);
    assert_eq!(article["body"], body);
    assert!(
        article["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>rejected</strong>")
    );
    let topics: Vec<&str> = article["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(topics, ["Asia", "World"], "topics by name");
    let entities: Vec<(&str, &str)> = article["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        entities,
        [
            ("country", "North Korea"),
            ("country", "Russia"),
            ("organisation", "G7"),
            ("person", "Kim Jong Un")
        ],
        "entities by kind, then name"
    );
    let by_slug = app
        .get("/api/v1/articles/north-korea-warns-g7-over-russia-ties")
        .await;
    assert_eq!(&by_slug.json, article);
    let by_id = app
        .get(&format!("/api/v1/articles/{}", article["id"]))
        .await;
    assert_eq!(&by_id.json, article);
}

#[tokio::test]
async fn defaults_make_a_draft_with_open_comments() {
    let app = spawn_app().await;
    let article = app
        .create("/api/v1/articles", json!({"title": "Just a title"}))
        .await;
    assert_eq!(article["status"], "draft");
    assert_eq!(article["published_at"], json!(null));
    assert_eq!(article["body"], "");
    assert_eq!(article["word_count"], 0);
    assert_eq!(article["reading_time_minutes"], 0);
    assert_eq!(article["topics"], json!([]));
}

#[tokio::test]
async fn slugs_are_generated_unique_and_a_taken_one_is_a_409() {
    let app = spawn_app().await;
    let first = app
        .create("/api/v1/articles", json!({"title": "Kim meets Putin"}))
        .await;
    let second = app
        .create("/api/v1/articles", json!({"title": "Kim meets Putin"}))
        .await;
    let numeric = app
        .create("/api/v1/articles", json!({"title": "1984"}))
        .await;
    assert_eq!(first["slug"], "kim-meets-putin");
    assert_eq!(second["slug"], "kim-meets-putin-2");
    assert_eq!(numeric["slug"], "article-1984");
    let taken = app
        .post(
            "/api/v1/articles",
            &json!({"title": "Other", "slug": "kim-meets-putin"}),
        )
        .await;
    taken.assert_problem(409);
    assert_eq!(taken.error_fields(), ["slug"]);
    let patch_taken = app
        .patch(
            "/api/v1/articles/kim-meets-putin-2",
            &json!({"slug": "kim-meets-putin"}),
        )
        .await;
    patch_taken.assert_problem(409);
}

#[tokio::test]
async fn unknown_tag_slugs_are_a_422_naming_each() {
    let app = newsroom().await;
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({"title": "T", "topics": ["world", "atlantis"], "entities": ["mordor", "g7"]}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["topics", "entities"]);
    assert!(reply.text.contains("atlantis") && reply.text.contains("mordor"));
    let list = app.admin_get("/api/v1/articles?status=draft").await;
    assert_eq!(list.json["meta"]["total"], 0);
}

#[tokio::test]
async fn invalid_values_are_a_422_listing_every_field() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({"title": "", "slug": "Bad Slug", "summary": "s".repeat(1001), "source": "a\u{0}b", "topics": ["Not A Slug"]}),
        )
        .await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["slug", "source", "summary", "title", "topics[0]"]);
    let status = app
        .post("/api/v1/articles", &json!({"title": "T", "status": "live"}))
        .await;
    status.assert_problem(422);
    assert_eq!(status.error_fields(), ["status"]);
    let date = app
        .post(
            "/api/v1/articles",
            &json!({"title": "T", "published_at": "yesterday"}),
        )
        .await;
    date.assert_problem(422);
    assert_eq!(date.error_fields(), ["published_at"]);
}

#[tokio::test]
async fn scheduling_needs_a_future_time_and_publishing_sets_now() {
    let app = spawn_app().await;
    let past = app
        .post(
            "/api/v1/articles",
            &json!({"title": "T", "status": "scheduled", "published_at": "2020-01-01T00:00:00Z"}),
        )
        .await;
    past.assert_problem(422);
    assert_eq!(past.error_fields(), ["published_at"]);
    let missing = app
        .post(
            "/api/v1/articles",
            &json!({"title": "T", "status": "scheduled"}),
        )
        .await;
    missing.assert_problem(422);
    let scheduled = app.create("/api/v1/articles", json!({"title": "Later", "status": "scheduled", "published_at": "2999-01-01T00:00:00Z"})).await;
    assert_eq!(scheduled["status"], "scheduled");
    let draft = app
        .create("/api/v1/articles", json!({"title": "Draft"}))
        .await;
    let published = app
        .patch(
            &format!("/api/v1/articles/{}", draft["id"]),
            &json!({"status": "published"}),
        )
        .await;
    assert_eq!(published.json["status"], "published");
    let at = published.json["published_at"].as_str().unwrap();
    assert!(at > "2026-01-01", "{at}");
}

#[tokio::test]
async fn a_scheduled_article_is_published_once_its_time_has_passed() {
    let app = spawn_app().await;
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(700)).to_rfc3339();
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "Soon", "status": "scheduled", "published_at": soon}),
        )
        .await;
    assert_eq!(app.slugs("/api/v1/articles").await, Vec::<String>::new());
    assert_eq!(
        app.slugs_as(&app.admin_token, "/api/v1/articles?status=scheduled")
            .await,
        ["soon"]
    );
    tokio::time::sleep(std::time::Duration::from_millis(900)).await;
    assert_eq!(app.slugs("/api/v1/articles").await, ["soon"]);
    assert_eq!(
        app.slugs_as(&app.admin_token, "/api/v1/articles?status=scheduled")
            .await,
        Vec::<String>::new()
    );
    let now = app
        .get(&format!("/api/v1/articles/{}", article["id"]))
        .await;
    assert_eq!(now.json["status"], "published");
}

#[tokio::test]
async fn patch_leaves_absent_fields_clears_nulls_and_bumps_the_version() {
    let app = newsroom().await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "Summit", "subtitle": "A dek", "source": "AFP", "body": "one two", "topics": ["world"], "entities": ["g7"]}),
        )
        .await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let patched = app
        .patch(&path, &json!({"subtitle": null, "body": "one two three"}))
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let patched = patched.json;
    assert_eq!(patched["subtitle"], json!(null));
    assert_eq!(patched["source"], "AFP");
    assert_eq!(patched["title"], "Summit");
    assert_eq!(patched["slug"], "summit");
    assert_eq!(patched["topics"], article["topics"]);
    assert_eq!(patched["entities"], article["entities"]);
    assert_eq!(patched["word_count"], 3);
    assert_eq!(patched["version"], 2);
    assert!(patched["updated_at"].as_str() > article["updated_at"].as_str());
    assert_eq!(patched["created_at"], article["created_at"]);

    let retagged = app
        .patch(&path, &json!({"entities": ["russia", "north-korea"]}))
        .await
        .json;
    assert_eq!(retagged["version"], 3);
    let names: Vec<&str> = retagged["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["north-korea", "russia"]);
    assert_eq!(retagged["topics"], article["topics"]);

    let same = app.patch(&path, &json!({"title": "Summit"})).await.json;
    assert_eq!(
        same["version"], 3,
        "a change to the same value is no change"
    );
    let empty = app.patch(&path, &json!({})).await.json;
    assert_eq!(empty["version"], 3);
}

#[tokio::test]
async fn patch_refuses_null_for_required_fields() {
    let app = spawn_app().await;
    let article = app
        .create("/api/v1/articles", json!({"title": "Summit"}))
        .await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let reply = app
        .patch(
            &path,
            &json!({"title": null, "status": null, "slug": null, "comments_open": null}),
        )
        .await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["comments_open", "slug", "status", "title"]);
    assert_eq!(app.admin_get(&path).await.json, article, "nothing changed");
}

#[tokio::test]
async fn put_replaces_the_article_and_keeps_an_absent_slug() {
    let app = newsroom().await;
    let article = app
        .create("/api/v1/articles", json!({"title": "Summit", "subtitle": "dek", "source": "AFP", "topics": ["world"], "comments_open": false}))
        .await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let replaced = app
        .put(&path, &json!({"title": "Summit ends", "body": "Done."}))
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    let replaced = replaced.json;
    assert_eq!(replaced["slug"], "summit");
    assert_eq!(replaced["title"], "Summit ends");
    assert_eq!(replaced["subtitle"], json!(null));
    assert_eq!(replaced["source"], json!(null));
    assert_eq!(replaced["topics"], json!([]));
    assert_eq!(replaced["comments_open"], true);
    assert_eq!(replaced["version"], 2);
    let missing_title = app.put(&path, &json!({"body": "x"})).await;
    missing_title.assert_problem(422);
    assert_eq!(missing_title.error_fields(), ["title"]);
}

#[tokio::test]
async fn delete_removes_the_article() {
    let app = newsroom().await;
    let article = app.article("Summit", &["world"], &["g7"]).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    assert_eq!(app.delete(&path).await.status, 204);
    app.get(&path).await.assert_problem(404);
    app.delete(&path).await.assert_problem(404);
    assert_eq!(
        app.get("/api/v1/entities/g7").await.json["article_count"],
        0
    );
    app.patch(&path, &json!({"title": "x"}))
        .await
        .assert_problem(404);
    app.put(&path, &json!({"title": "x"}))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn list_items_carry_no_body() {
    let app = newsroom().await;
    app.article("Summit", &["world"], &["g7"]).await;
    let list = app.get("/api/v1/articles").await;
    let item = &list.json["data"][0];
    assert_eq!(item["slug"], "summit");
    assert!(item.get("body").is_none() && item.get("body_html").is_none());
    assert_eq!(item["topics"][0]["slug"], "world");
    assert_eq!(item["entities"][0]["slug"], "g7");
}

#[tokio::test]
async fn the_topic_filter_includes_descendants_and_combines_with_and_or() {
    let app = newsroom().await;
    published(&app, "in-world", "2024-05-01T00:00:00Z", &["world"], &[]).await;
    published(&app, "in-korea", "2024-05-02T00:00:00Z", &["korea"], &[]).await;
    published(&app, "in-sport", "2024-05-03T00:00:00Z", &["sport"], &[]).await;
    published(
        &app,
        "korea-and-sport",
        "2024-05-04T00:00:00Z",
        &["korea", "sport"],
        &[],
    )
    .await;
    assert_eq!(
        app.slugs("/api/v1/articles?topic=world").await,
        ["korea-and-sport", "in-korea", "in-world"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?topic=asia").await,
        ["korea-and-sport", "in-korea"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?topic=world,sport").await,
        ["korea-and-sport"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?topic=korea%7Csport").await,
        ["korea-and-sport", "in-sport", "in-korea"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?topic=korea|sport,world").await,
        ["korea-and-sport", "in-korea"]
    );
    let unknown = app.get("/api/v1/articles?topic=atlantis").await;
    unknown.assert_problem(422);
    assert_eq!(unknown.error_fields(), ["topic"]);
    app.get("/api/v1/articles?topic=a,,b")
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn the_entity_and_kind_filters_match_tags() {
    let app = newsroom().await;
    published(
        &app,
        "kp-ru",
        "2024-05-01T00:00:00Z",
        &[],
        &["north-korea", "russia"],
    )
    .await;
    published(
        &app,
        "kp-g7",
        "2024-05-02T00:00:00Z",
        &[],
        &["north-korea", "g7"],
    )
    .await;
    published(&app, "g7-only", "2024-05-03T00:00:00Z", &[], &["g7"]).await;
    published(&app, "kim", "2024-05-04T00:00:00Z", &[], &["kim-jong-un"]).await;
    assert_eq!(
        app.slugs("/api/v1/articles?entity=north-korea").await,
        ["kp-g7", "kp-ru"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?entity=north-korea,g7").await,
        ["kp-g7"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?entity=russia|g7").await,
        ["g7-only", "kp-g7", "kp-ru"]
    );
    assert_eq!(app.slugs("/api/v1/articles?kind=person").await, ["kim"]);
    assert_eq!(
        app.slugs("/api/v1/articles?kind=country&entity=g7").await,
        ["kp-g7"]
    );
    assert_eq!(
        app.get("/api/v1/articles?entity=north-korea")
            .await
            .header("x-total-count"),
        Some("2")
    );
    app.get("/api/v1/articles?entity=mordor")
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn source_author_and_date_filters_narrow_the_list() {
    let app = spawn_app().await;
    for (slug, at, source) in [
        ("april", "2024-04-30T23:59:59Z", "AFP"),
        ("may-first", "2024-05-01T00:00:00Z", "Reuters"),
        ("may-last", "2024-05-31T23:59:59.900Z", "AFP"),
        ("june", "2024-06-01T00:00:00Z", "AFP"),
    ] {
        app.create("/api/v1/articles", json!({"title": slug, "slug": slug, "status": "published", "published_at": at, "source": source}))
            .await;
    }
    assert_eq!(
        app.slugs("/api/v1/articles?from=2024-05-01&to=2024-05-31")
            .await,
        ["may-last", "may-first"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?from=2024-05-01T00:00:00Z&to=2024-06-01T00:00:00Z")
            .await,
        ["june", "may-last", "may-first"]
    );
    assert_eq!(app.slugs("/api/v1/articles?to=2024-04-30").await, ["april"]);
    assert_eq!(
        app.slugs("/api/v1/articles?source=AFP&from=2024-05-01")
            .await,
        ["june", "may-last"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?author=2&per_page=1").await,
        ["june"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?author=1").await,
        Vec::<String>::new()
    );
    let bad = app
        .get("/api/v1/articles?from=last-week&to=2024-13-01")
        .await;
    bad.assert_problem(422);
    assert_eq!(bad.error_fields(), ["from", "to"]);
}

#[tokio::test]
async fn the_status_filter_lists_unpublished_articles() {
    let app = spawn_app().await;
    app.create("/api/v1/articles", json!({"title": "Draft"}))
        .await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Archived", "status": "archived"}),
    )
    .await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Live", "status": "published"}),
    )
    .await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Later", "status": "scheduled", "published_at": "2999-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(app.slugs("/api/v1/articles").await, ["live"]);
    assert_eq!(
        app.slugs("/api/v1/articles?status=published").await,
        ["live"]
    );
    assert_eq!(
        app.slugs_as(&app.admin_token, "/api/v1/articles?status=draft")
            .await,
        ["draft"]
    );
    assert_eq!(
        app.slugs_as(&app.admin_token, "/api/v1/articles?status=archived")
            .await,
        ["archived"]
    );
    assert_eq!(
        app.slugs_as(&app.admin_token, "/api/v1/articles?status=scheduled")
            .await,
        ["later"]
    );
}

#[tokio::test]
async fn sorting_follows_the_contract_and_ties_break_on_id() {
    let app = spawn_app().await;
    for (title, at) in [
        ("Charlie", "2024-05-02T00:00:00Z"),
        ("Alpha", "2024-05-01T00:00:00Z"),
        ("Bravo", "2024-05-02T00:00:00Z"),
        ("Delta", "2024-05-03T00:00:00Z"),
    ] {
        app.create(
            "/api/v1/articles",
            json!({"title": title, "status": "published", "published_at": at}),
        )
        .await;
    }
    assert_eq!(
        app.slugs("/api/v1/articles").await,
        ["delta", "bravo", "charlie", "alpha"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?sort=-published_at").await,
        ["delta", "bravo", "charlie", "alpha"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?sort=published_at").await,
        ["alpha", "charlie", "bravo", "delta"]
    );
    assert_eq!(
        app.slugs("/api/v1/articles?sort=title").await,
        ["alpha", "bravo", "charlie", "delta"]
    );
    app.patch("/api/v1/articles/alpha", &json!({"summary": "touched"}))
        .await;
    assert_eq!(
        app.slugs("/api/v1/articles?sort=-updated_at").await[0],
        "alpha"
    );
}

#[tokio::test]
async fn pages_do_not_overlap_and_carry_link_and_total() {
    let app = spawn_app().await;
    for n in 0..7 {
        app.create("/api/v1/articles", json!({"title": format!("Same time {n}"), "status": "published", "published_at": "2024-05-01T00:00:00Z"}))
            .await;
    }
    let mut seen = Vec::new();
    for page in 1..=3 {
        let reply = app
            .get(&format!("/api/v1/articles?per_page=3&page={page}"))
            .await;
        assert_eq!(reply.header("x-total-count"), Some("7"));
        assert_eq!(reply.json["meta"]["total_pages"], 3);
        for item in reply.json["data"].as_array().unwrap() {
            seen.push(item["id"].as_i64().unwrap());
        }
    }
    let mut unique = seen.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (7, 7));
    let last = app.get("/api/v1/articles?per_page=3&page=3&source=").await;
    let link = last.header("link").unwrap();
    assert!(!link.contains("rel=\"next\""), "{link}");
    assert!(link.contains("rel=\"prev\""));
    let beyond = app.get("/api/v1/articles?per_page=3&page=9").await;
    assert_eq!(beyond.status, 200);
    assert_eq!(beyond.json["data"], json!([]));
    app.get("/api/v1/articles?per_page=101")
        .await
        .assert_problem(422);
    app.get("/api/v1/articles?per_page=0")
        .await
        .assert_problem(422);
    app.get("/api/v1/articles?page=0").await.assert_problem(422);
    app.get("/api/v1/articles?page=-1")
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn renaming_a_tag_moves_the_version_of_its_articles() {
    let app = newsroom().await;
    let article = app.article("Summit", &["world"], &["g7"]).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    app.patch("/api/v1/entities/g7", &json!({"name": "Group of Seven"}))
        .await;
    let after = app.get(&path).await.json;
    assert_eq!(after["entities"][0]["name"], "Group of Seven");
    assert_eq!(after["version"], 2);
}

#[test]
fn a_page_loads_its_relations_in_a_fixed_number_of_queries() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use diesel::connection::{Connection, InstrumentationEvent};
    use newsdesk::store::{PageRequest, articles, entities, topics};

    let dir = tempfile::tempdir().unwrap();
    let pool = newsdesk::db::connect(dir.path().join("n1.db").to_str().unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    let topic = topics::create(
        &mut conn,
        &topics::NewTopic {
            slug: None,
            name: "World".into(),
            description: None,
            parent: None,
        },
    )
    .unwrap();
    let entity = entities::create(
        &mut conn,
        &entities::NewEntity {
            slug: None,
            name: "G7".into(),
            kind: newsdesk::domain::EntityKind::Organisation,
            description: None,
            aliases: vec![],
            country_code: None,
            website: None,
        },
    )
    .unwrap();
    for n in 0..40 {
        let new = articles::NewArticle {
            slug: None,
            title: format!("Story {n}"),
            subtitle: None,
            summary: None,
            body: "words".into(),
            status: newsdesk::domain::ArticleStatus::Published,
            published_at: None,
            source: None,
            byline: None,
            topics: vec![topic.row.slug.clone()],
            entities: vec![entity.row.slug.clone()],
            comments_open: true,
            author_id: None,
            featured_image_id: None,
            seo: articles::Seo::default(),
            expires_at: None,
        };
        articles::create(&mut conn, &new, articles::NEWSROOM_USER_ID).unwrap();
    }
    let queries = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&queries);
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    let filter = articles::ArticleFilter::default();
    let mut count_for = |per_page: i64| {
        queries.store(0, Ordering::SeqCst);
        let spec = articles::PageSpec::Offset(PageRequest { page: 1, per_page });
        let page = articles::list(&mut conn, &filter, &spec).unwrap().items;
        assert_eq!(page.len() as i64, per_page);
        assert!(
            page.iter()
                .all(|a| a.topics.len() == 1 && a.entities.len() == 1)
        );
        queries.load(Ordering::SeqCst)
    };
    let small = count_for(2);
    let large = count_for(40);
    assert_eq!(small, large, "queries must not grow with the page size");
    assert!(
        large <= 6,
        "count, page, authors, topics, entities, corrections: {large}"
    );
}

#[tokio::test]
async fn cached_lists_and_pages_follow_writes_from_any_process() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Cached", "status": "published"}),
    )
    .await;
    assert_eq!(app.slugs("/api/v1/articles").await, ["cached"]);
    assert_eq!(
        app.get("/api/v1/articles/cached").await.json["title"],
        "Cached"
    );
    // Another process (an import, an operator's SQL) writes the file.
    let mut conn = app.connection();
    diesel::sql_query(
        "UPDATE articles SET title = 'Changed elsewhere', slug = 'changed' WHERE slug = 'cached'",
    )
    .execute(&mut conn)
    .unwrap();
    assert_eq!(app.slugs("/api/v1/articles").await, ["changed"]);
    assert_eq!(
        app.get("/api/v1/articles/changed").await.json["title"],
        "Changed elsewhere"
    );
    app.get("/api/v1/articles/cached").await.assert_problem(404);
}

/// Unfiltered lists take their totals from counts kept per status; they
/// must follow every create, status change and delete, and a scheduled
/// article whose time has come.
#[tokio::test]
async fn unfiltered_totals_follow_every_status_change() {
    use diesel::prelude::*;
    let app = spawn_app().await;
    let totals = || async {
        let mut seen = Vec::new();
        for status in ["", "&status=draft", "&status=scheduled", "&status=archived"] {
            let reply = app
                .admin_get(&format!("/api/v1/articles?per_page=1{status}"))
                .await;
            seen.push(reply.json["meta"]["total"].as_i64().unwrap());
            assert_eq!(
                reply.header("x-total-count"),
                Some(seen.last().unwrap().to_string().as_str())
            );
        }
        let public = app.get("/api/v1/articles").await.json["meta"]["total"]
            .as_i64()
            .unwrap();
        (public, seen)
    };
    for (title, status) in [
        ("One", "published"),
        ("Two", "published"),
        ("Three", "draft"),
        ("Four", "archived"),
    ] {
        app.create(
            "/api/v1/articles",
            json!({"title": title, "status": status}),
        )
        .await;
    }
    app.create(
        "/api/v1/articles",
        json!({"title": "Later", "status": "scheduled", "published_at": "2999-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(totals().await, (2, vec![5, 1, 1, 1]));

    let reply = app
        .patch("/api/v1/articles/three", &json!({"status": "published"}))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(totals().await, (3, vec![5, 0, 1, 1]));
    assert_eq!(app.delete("/api/v1/articles/one").await.status, 204);
    assert_eq!(totals().await, (2, vec![4, 0, 1, 1]));

    // The scheduled article's time comes (moved by another process here).
    let mut conn = app.connection();
    diesel::sql_query(
        "UPDATE articles SET published_at = '2020-01-01 00:00:00' WHERE slug = 'later'",
    )
    .execute(&mut conn)
    .unwrap();
    assert_eq!(totals().await, (3, vec![4, 0, 0, 1]));
}

/// Pages of one list share a kept total; a write moves it on every page.
#[tokio::test]
async fn pages_of_a_filtered_list_share_a_total_that_follows_writes() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.topic("Asia", Some("world")).await;
    for title in ["One", "Two", "Three"] {
        app.article(title, &["asia"], &[]).await;
    }
    let total = |path: &'static str| {
        let app = &app;
        async move {
            let reply = app.get(path).await;
            (
                reply.json["meta"]["total"].as_i64().unwrap(),
                reply.header("x-total-count").unwrap().to_owned(),
            )
        }
    };
    let first = "/api/v1/articles?topic=world&per_page=2";
    let second = "/api/v1/articles?topic=world&per_page=2&page=2";
    assert_eq!(total(first).await, (3, "3".to_owned()));
    assert_eq!(total(second).await, (3, "3".to_owned()));
    app.article("Four", &["world"], &[]).await;
    assert_eq!(total(second).await, (4, "4".to_owned()));
    assert_eq!(total(first).await, (4, "4".to_owned()));
    assert_eq!(app.delete("/api/v1/articles/one").await.status, 204);
    assert_eq!(total(second).await.0, 3);
    assert_eq!(total(first).await.0, 3);
}

#[tokio::test]
async fn timestamps_past_the_year_9999_are_a_422_and_nothing_turns_public() {
    let app = spawn_app().await;
    for at in ["+10000-01-01T00:00:00Z", "+275000-01-01T00:00:00Z"] {
        let reply = app
            .post(
                "/api/v1/articles",
                &json!({"title": "Far", "status": "scheduled", "published_at": at}),
            )
            .await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), ["published_at"], "{at}");
    }
    let article = app
        .create("/api/v1/articles", json!({"title": "Draft"}))
        .await;
    let patch = app
        .patch(
            &format!("/api/v1/articles/{}", article["id"]),
            &json!({"status": "scheduled", "published_at": "+10000-01-01T00:00:00Z"}),
        )
        .await;
    patch.assert_problem(422);
    for query in [
        "from=+10000-01-01",
        "to=+10000-01-01T00:00:00Z",
        "from=0000-12-31",
    ] {
        let reply = app.get(&format!("/api/v1/articles?{query}")).await;
        reply.assert_problem(422);
    }
    assert_eq!(app.get("/api/v1/articles").await.json["meta"]["total"], 0);
    assert_eq!(
        app.slugs("/api/v1/articles?to=9999-12-31").await,
        Vec::<String>::new()
    );
}

#[tokio::test]
async fn published_with_a_future_time_is_scheduled_not_public_at_once() {
    let app = spawn_app().await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "Embargoed", "status": "published", "published_at": "2999-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(article["status"], "scheduled");
    assert_eq!(app.slugs("/api/v1/articles").await, Vec::<String>::new());
    app.get(&format!("/api/v1/articles/{}", article["id"]))
        .await
        .assert_problem(404);
    // The same through a change of an article that is public now.
    let public = app
        .create(
            "/api/v1/articles",
            json!({"title": "Public", "status": "published"}),
        )
        .await;
    let moved = app
        .patch(
            &format!("/api/v1/articles/{}", public["id"]),
            &json!({"published_at": "2999-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json["status"], "scheduled");
    assert_eq!(app.slugs("/api/v1/articles").await, Vec::<String>::new());
}

#[tokio::test]
async fn unicode_non_characters_are_refused_in_text_fields() {
    let app = spawn_app().await;
    for (field, value) in [
        ("title", "Bad \u{FFFE} title"),
        ("title", "Bad \u{FDD0} title"),
        ("summary", "A summary \u{FFFF}"),
        ("body", "A body \u{10FFFF}"),
        ("subtitle", "\u{1FFFE}"),
    ] {
        let mut body = json!({"title": "Fine"});
        body[field] = json!(value);
        let reply = app.post("/api/v1/articles", &body).await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), [field], "{value:?}");
    }
    let topic = app
        .post("/api/v1/topics", &json!({"name": "World\u{FFFF}"}))
        .await;
    topic.assert_problem(422);
    assert_eq!(app.get("/api/v1/articles").await.json["meta"]["total"], 0);
}
