//! Revisions: every save of an article is kept (draft saves folded), can
//! be read back as the article was, and restored.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::spawn_app;

/// The fields of an article that a restore brings back: all but those
/// that move with every version.
fn content(article: &Value) -> Value {
    let mut article = article.clone();
    let object = article.as_object_mut().expect("an object");
    for moving in ["version", "updated_at"] {
        object.remove(moving);
    }
    article
}

fn versions(list: &Value) -> Vec<i64> {
    list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|revision| revision["version"].as_i64().expect("version"))
        .collect()
}

#[tokio::test]
async fn restoring_the_first_revision_brings_back_every_field_and_tag() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.topic("Asia", None).await;
    app.entity("North Korea", "country").await;
    app.entity("G7", "organisation").await;
    let first = app
        .create(
            "/api/v1/articles",
            json!({"title": "G7 statement", "subtitle": "Allies speak", "summary": "The G7 spoke.",
                   "body": "The **G7** issued a statement.", "status": "published",
                   "source": "AFP", "byline": "Staff", "topics": ["world"],
                   "entities": ["north-korea"], "comments_open": true}),
        )
        .await;
    let id = first["id"].as_i64().expect("id");
    let path = format!("/api/v1/articles/{id}");
    for change in [
        json!({"title": "G7 statement angers Pyongyang", "topics": ["world", "asia"]}),
        json!({"subtitle": null, "body": "Rewritten.", "entities": ["north-korea", "g7"]}),
        json!({"byline": "Agencies", "source": null, "comments_open": false, "slug": "g7-row"}),
    ] {
        let reply = app.patch(&path, &change).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }

    let list = app.admin_get(&format!("{path}/revisions")).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(versions(&list.json), vec![4, 3, 2, 1]);
    assert_eq!(
        list.json["data"][0]["changed"],
        json!(["byline", "comments_open", "slug", "source"])
    );
    assert_eq!(list.json["data"][2]["changed"], json!(["title", "topics"]));
    assert_eq!(list.json["data"][0]["user"]["id"], first["author"]["id"]);

    let as_was = app.admin_get(&format!("{path}/revisions/1")).await;
    assert_eq!(as_was.status, 200, "{}", as_was.text);
    assert_eq!(as_was.json["version"], 1);
    assert_eq!(content(&as_was.json), content(&first));

    let etag = app.etag_as(&app.admin_token, &path).await;
    let restored = app
        .json_if_match(
            Method::POST,
            &format!("{path}/revisions/1/restore"),
            &etag,
            None,
        )
        .await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert_eq!(restored.json["version"], 5);
    assert_eq!(content(&restored.json), content(&first));
    let shown = app.get(&path).await;
    assert_eq!(content(&shown.json), content(&first));
    // The slug it had before the restore still leads to it.
    let moved = app.get("/api/v1/articles/g7-row").await;
    assert_eq!(moved.status, 301, "{}", moved.text);

    let list = app.admin_get(&format!("{path}/revisions")).await;
    assert_eq!(versions(&list.json), vec![5, 4, 3, 2, 1]);
}

#[tokio::test]
async fn a_restore_with_a_stale_if_match_is_a_412_and_changes_nothing() {
    let app = spawn_app().await;
    let article = app.article("Missile launch", &[], &[]).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let stale = app.etag_as(&app.admin_token, &path).await;
    let reply = app
        .patch(&path, &json!({"title": "Missile launch confirmed"}))
        .await;
    assert_eq!(reply.status, 200);

    let refused = app
        .json_if_match(
            Method::POST,
            &format!("{path}/revisions/1/restore"),
            &stale,
            None,
        )
        .await;
    refused.assert_problem(412);
    assert_eq!(
        app.get(&path).await.json["title"],
        "Missile launch confirmed"
    );
}

#[tokio::test]
async fn a_version_without_a_revision_is_a_404() {
    let app = spawn_app().await;
    let article = app.article("Missile launch", &[], &[]).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    app.admin_get(&format!("{path}/revisions/9"))
        .await
        .assert_problem(404);
    app.json(
        Method::POST,
        &format!("{path}/revisions/9/restore"),
        &json!(null),
    )
    .await
    .assert_problem(404);
}

#[tokio::test]
async fn draft_saves_by_one_user_within_ten_minutes_fold_into_one_revision() {
    let app = spawn_app().await;
    let (_, author) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let created = app
        .json_as(
            &author,
            Method::POST,
            "/api/v1/articles",
            &json!({"title": "Draft", "body": "One."}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let path = format!("/api/v1/articles/{}", created.json["id"]);
    for change in [json!({"body": "Two."}), json!({"subtitle": "Sub"})] {
        let reply = app.json_as(&author, Method::PATCH, &path, &change).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let list = app.get_as(&author, &format!("{path}/revisions")).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(versions(&list.json), vec![3]);
    let changed = list.json["data"][0]["changed"].as_array().expect("changed");
    assert!(changed.contains(&json!("body")) && changed.contains(&json!("subtitle")));
    assert!(
        changed.contains(&json!("title")),
        "the creation's fields stay listed"
    );

    // Another user's save is a revision of its own.
    let reply = app
        .json_as(&editor, Method::PATCH, &path, &json!({"title": "Edited"}))
        .await;
    assert_eq!(reply.status, 200);
    let list = app.get_as(&author, &format!("{path}/revisions")).await;
    assert_eq!(versions(&list.json), vec![4, 3]);
    assert_eq!(list.json["data"][0]["changed"], json!(["title"]));

    // Once public, every save is kept.
    for change in [json!({"status": "published"}), json!({"body": "Three."})] {
        let reply = app.json_as(&editor, Method::PATCH, &path, &change).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let list = app.get_as(&editor, &format!("{path}/revisions")).await;
    assert_eq!(versions(&list.json), vec![6, 5, 4, 3]);
}

#[tokio::test]
async fn a_correction_is_a_revision_naming_corrections() {
    let app = spawn_app().await;
    let article = app.article("Missile launch", &[], &[]).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let added = app
        .post(
            &format!("{path}/corrections"),
            &json!({"kind": "correction", "text": "It was Tuesday."}),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);
    let list = app.admin_get(&format!("{path}/revisions")).await;
    assert_eq!(versions(&list.json), vec![2, 1]);
    assert_eq!(list.json["data"][0]["changed"], json!(["corrections"]));
    let before = app.admin_get(&format!("{path}/revisions/1")).await;
    assert_eq!(before.json["corrections"], json!([]));
    let after = app.admin_get(&format!("{path}/revisions/2")).await;
    assert_eq!(after.json["corrections"][0]["text"], "It was Tuesday.");
}

#[tokio::test]
async fn authors_cannot_read_or_restore_others_revisions() {
    let app = spawn_app().await;
    let (_, author) = app.staff("author").await;
    let article = app.article("Missile launch", &[], &[]).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    app.get_as(&author, &format!("{path}/revisions"))
        .await
        .assert_problem(403);
    app.get_as(&author, &format!("{path}/revisions/1"))
        .await
        .assert_problem(403);
    app.json_as(
        &author,
        Method::POST,
        &format!("{path}/revisions/1/restore"),
        &json!(null),
    )
    .await
    .assert_problem(403);
}

#[tokio::test]
async fn revisions_need_a_signed_in_user() {
    let app = spawn_app().await;
    let article = app.article("Missile launch", &[], &[]).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    app.get(&format!("{path}/revisions"))
        .await
        .assert_problem(401);
    app.get(&format!("{path}/revisions/1"))
        .await
        .assert_problem(401);
    app.json_as(
        "",
        Method::POST,
        &format!("{path}/revisions/1/restore"),
        &json!(null),
    )
    .await
    .assert_problem(401);
}

#[tokio::test]
async fn a_restore_fires_article_updated() {
    let app = spawn_app().await;
    let article = app.article("Missile launch", &[], &[]).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let reply = app
        .patch(&path, &json!({"title": "Missile launch confirmed"}))
        .await;
    assert_eq!(reply.status, 200);
    let hook = app
        .create(
            "/api/v1/webhooks",
            json!({"url": "https://hooks.example.com/x", "events": ["article.updated"]}),
        )
        .await;
    let restored = app
        .json(
            Method::POST,
            &format!("{path}/revisions/1/restore"),
            &json!(null),
        )
        .await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    let deliveries = app
        .admin_get(&format!("/api/v1/webhooks/{}/deliveries", hook["id"]))
        .await;
    assert_eq!(deliveries.status, 200, "{}", deliveries.text);
    let types: std::collections::BTreeSet<&str> = deliveries.json["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|delivery| delivery["type"].as_str())
        .collect();
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        vec!["article.updated"],
        "{}",
        deliveries.text
    );
}
