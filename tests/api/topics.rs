use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn create_makes_a_slug_from_the_name_and_keeps_it_unique() {
    let app = spawn_app().await;
    let first = app.topic("World News", None).await;
    let second = app.topic("World News", None).await;
    let third = app.topic("World  News!", None).await;
    assert_eq!(first["slug"], "world-news");
    assert_eq!(second["slug"], "world-news-2");
    assert_eq!(third["slug"], "world-news-3");
    assert_eq!(first["parent"], json!(null));
    assert_eq!(first["article_count"], 0);
}

#[tokio::test]
async fn create_answers_201_with_a_location_that_serves_the_topic() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/topics",
            &json!({"name": "World", "description": "Everything abroad."}),
        )
        .await;
    assert_eq!(reply.status, 201);
    let location = reply.header("location").expect("location").to_owned();
    let fetched = app.get(&location).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json, reply.json);
    assert_eq!(app.get("/api/v1/topics/world").await.json, reply.json);
}

#[tokio::test]
async fn a_taken_slug_given_explicitly_is_a_409() {
    let app = spawn_app().await;
    app.create("/api/v1/topics", json!({"name": "World", "slug": "world"}))
        .await;
    let reply = app
        .post("/api/v1/topics", &json!({"name": "Other", "slug": "world"}))
        .await;
    reply.assert_problem(409);
    assert_eq!(reply.error_fields(), ["slug"]);
}

#[tokio::test]
async fn invalid_fields_are_a_422_listing_each_of_them() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/topics",
            &json!({"name": "  ", "slug": "Not A Slug", "description": "x".repeat(5001)}),
        )
        .await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["description", "name", "slug"]);
    let numeric = app
        .post("/api/v1/topics", &json!({"name": "Year", "slug": "2024"}))
        .await;
    numeric.assert_problem(422);
}

#[tokio::test]
async fn an_unknown_topic_is_a_404_by_id_and_by_slug() {
    let app = spawn_app().await;
    app.get("/api/v1/topics/999").await.assert_problem(404);
    app.get("/api/v1/topics/nowhere").await.assert_problem(404);
    app.get("/api/v1/topics/99999999999999999999")
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn an_unknown_parent_slug_is_a_422_naming_it() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/topics",
            &json!({"name": "Asia", "parent": "atlantis"}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["parent"]);
    assert!(reply.text.contains("atlantis"));
}

#[tokio::test]
async fn a_parent_that_would_make_a_cycle_is_a_422() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.topic("Asia", Some("world")).await;
    app.topic("Korea", Some("asia")).await;
    let onto_itself = app
        .patch("/api/v1/topics/world", &json!({"parent": "world"}))
        .await;
    onto_itself.assert_problem(422);
    assert_eq!(onto_itself.error_fields(), ["parent"]);
    let onto_a_grandchild = app
        .patch("/api/v1/topics/world", &json!({"parent": "korea"}))
        .await;
    onto_a_grandchild.assert_problem(422);
    let world = app.get("/api/v1/topics/world").await;
    assert_eq!(
        world.json["parent"],
        json!(null),
        "a refused change changes nothing"
    );
    let moved = app
        .patch("/api/v1/topics/korea", &json!({"parent": "world"}))
        .await;
    assert_eq!(moved.status, 200);
    assert_eq!(moved.json["parent"]["slug"], "world");
}

#[tokio::test]
async fn patch_leaves_absent_fields_and_null_clears_them() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.create(
        "/api/v1/topics",
        json!({"name": "Asia", "parent": "world", "description": "East"}),
    )
    .await;
    let renamed = app
        .patch("/api/v1/topics/asia", &json!({"name": "Asia-Pacific"}))
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(renamed.json["name"], "Asia-Pacific");
    assert_eq!(
        renamed.json["slug"], "asia",
        "the slug stays when only the name changes"
    );
    assert_eq!(renamed.json["description"], "East");
    assert_eq!(renamed.json["parent"]["slug"], "world");
    let cleared = app
        .patch(
            "/api/v1/topics/asia",
            &json!({"parent": null, "description": null}),
        )
        .await;
    assert_eq!(cleared.json["parent"], json!(null));
    assert_eq!(cleared.json["description"], json!(null));
    let null_name = app
        .patch("/api/v1/topics/asia", &json!({"name": null}))
        .await;
    null_name.assert_problem(422);
    assert_eq!(null_name.error_fields(), ["name"]);
}

#[tokio::test]
async fn put_replaces_every_field_but_keeps_an_absent_slug() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.create(
        "/api/v1/topics",
        json!({"name": "Asia", "parent": "world", "description": "East"}),
    )
    .await;
    let replaced = app
        .put("/api/v1/topics/asia", &json!({"name": "Asia and Pacific"}))
        .await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    assert_eq!(replaced.json["slug"], "asia");
    assert_eq!(replaced.json["name"], "Asia and Pacific");
    assert_eq!(replaced.json["description"], json!(null));
    assert_eq!(replaced.json["parent"], json!(null));
    let reslugged = app
        .put(
            "/api/v1/topics/asia",
            &json!({"name": "Asia", "slug": "asia-pacific"}),
        )
        .await;
    assert_eq!(reslugged.json["slug"], "asia-pacific");
    // The old slug now redirects (see old_slugs.rs).
    assert_eq!(app.get("/api/v1/topics/asia").await.status, 301);
}

#[tokio::test]
async fn updated_at_moves_on_change() {
    let app = spawn_app().await;
    let created = app.topic("World", None).await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let changed = app
        .patch("/api/v1/topics/world", &json!({"description": "Abroad"}))
        .await;
    assert!(changed.json["updated_at"].as_str() > created["updated_at"].as_str());
    assert_eq!(changed.json["created_at"], created["created_at"]);
}

#[tokio::test]
async fn delete_unlinks_articles_and_moves_subtopics_up() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.topic("Asia", Some("world")).await;
    app.topic("Korea", Some("asia")).await;
    let article = app.article("Summit", &["asia", "world"], &[]).await;
    let reply = app.delete("/api/v1/topics/asia").await;
    assert_eq!(reply.status, 204);
    assert!(reply.text.is_empty());
    app.get("/api/v1/topics/asia").await.assert_problem(404);
    let korea = app.get("/api/v1/topics/korea").await;
    assert_eq!(korea.json["parent"]["slug"], "world");
    let article = app
        .get(&format!("/api/v1/articles/{}", article["id"]))
        .await;
    assert_eq!(
        article.json["topics"],
        json!([{"id": 1, "slug": "world", "name": "World",
                "url": "http://127.0.0.1:0/topics/world"}])
    );
    assert_eq!(
        article.json["version"], 2,
        "losing a tag is a change of the article"
    );
    app.delete("/api/v1/topics/asia").await.assert_problem(404);
}

#[tokio::test]
async fn article_count_counts_published_articles_under_the_topic_and_below() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.topic("Asia", Some("world")).await;
    app.topic("Sport", None).await;
    app.article("One", &["world"], &[]).await;
    app.article("Two", &["asia"], &[]).await;
    app.article("Three", &["asia", "world"], &[]).await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Draft", "topics": ["asia"]}),
    )
    .await;
    let world = app.get("/api/v1/topics/world").await;
    assert_eq!(world.json["article_count"], 3);
    let asia = app.get("/api/v1/topics/asia").await;
    assert_eq!(asia.json["article_count"], 2);
    let list = app.get("/api/v1/topics").await;
    let counts: Vec<(String, i64)> = list.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["slug"].as_str().unwrap().to_owned(),
                t["article_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("asia".to_owned(), 2),
            ("sport".to_owned(), 0),
            ("world".to_owned(), 3)
        ]
    );
}

#[tokio::test]
async fn the_list_is_ordered_by_name_and_paginated() {
    let app = spawn_app().await;
    for name in ["Sport", "Business", "World", "Culture", "Science"] {
        app.topic(name, None).await;
    }
    let page = app.get("/api/v1/topics?per_page=2&page=2").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("x-total-count"), Some("5"));
    assert_eq!(
        page.json["meta"],
        json!({"page": 2, "per_page": 2, "total": 5, "total_exact": true, "total_pages": 3})
    );
    let slugs: Vec<&str> = page.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["science", "sport"]);
    let link = page.header("link").unwrap();
    assert!(
        link.contains(r#"</api/v1/topics?per_page=2&page=1>; rel="first""#),
        "{link}"
    );
    assert!(
        link.contains(r#"</api/v1/topics?per_page=2&page=1>; rel="prev""#),
        "{link}"
    );
    assert!(
        link.contains(r#"</api/v1/topics?per_page=2&page=3>; rel="next""#),
        "{link}"
    );
    assert!(
        link.contains(r#"</api/v1/topics?per_page=2&page=3>; rel="last""#),
        "{link}"
    );
    app.get("/api/v1/topics?per_page=101")
        .await
        .assert_problem(422);
}
