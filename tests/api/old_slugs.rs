//! Old slugs: links to a renamed article, topic or entity keep working
//! (301 to the current slug), and an old slug is never given to another.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_renamed_published_article_answers_301_from_every_old_slug() {
    let app = spawn_app().await;
    let article = app.article("Arms transfers", &[], &[]).await;
    let id = article["id"].as_i64().expect("id");
    assert_eq!(article["slug"], "arms-transfers");
    for slug in [
        "arms-transfers-to-russia",
        "g7-demands-end-to-arms-transfers",
    ] {
        let reply = app
            .patch(&format!("/api/v1/articles/{id}"), &json!({"slug": slug}))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }

    for old in ["arms-transfers", "arms-transfers-to-russia"] {
        let reply = app
            .get(&format!("/api/v1/articles/{old}?fields=id,slug"))
            .await;
        assert_eq!(reply.status, 301, "{old}: {}", reply.text);
        assert_eq!(
            reply.header("location"),
            Some("/api/v1/articles/g7-demands-end-to-arms-transfers?fields=id,slug")
        );
        assert_eq!(
            reply.json,
            json!({"slug": "g7-demands-end-to-arms-transfers"})
        );
    }
    let current = app
        .get("/api/v1/articles/g7-demands-end-to-arms-transfers")
        .await;
    assert_eq!(current.status, 200);
    // Never an old slug of nothing: an unknown slug is still a 404.
    app.get("/api/v1/articles/never-was")
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn an_old_slug_is_a_409_for_anything_else_and_is_skipped_by_made_slugs() {
    let app = spawn_app().await;
    let article = app.article("Sanctions", &[], &[]).await;
    let id = article["id"].as_i64().expect("id");
    app.patch(
        &format!("/api/v1/articles/{id}"),
        &json!({"slug": "new-sanctions"}),
    )
    .await;

    let taken = app
        .post(
            "/api/v1/articles",
            &json!({"title": "Other", "slug": "sanctions", "body": "x"}),
        )
        .await;
    taken.assert_problem(409);
    assert_eq!(taken.error_fields(), ["slug"]);
    // A slug made from the same title steps past the old one.
    let made = app.article("Sanctions", &[], &[]).await;
    assert_eq!(made["slug"], "sanctions-2");
    assert_eq!(app.get("/api/v1/articles/sanctions").await.status, 301);
}

#[tokio::test]
async fn the_article_may_take_its_old_slug_back_and_it_stops_redirecting() {
    let app = spawn_app().await;
    let article = app.article("Summit", &[], &[]).await;
    let id = article["id"].as_i64().expect("id");
    let path = format!("/api/v1/articles/{id}");
    app.patch(&path, &json!({"slug": "summit-in-hanoi"})).await;
    let back = app.patch(&path, &json!({"slug": "summit"})).await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(app.get("/api/v1/articles/summit").await.status, 200);
    let moved = app.get("/api/v1/articles/summit-in-hanoi").await;
    assert_eq!(moved.status, 301);
    assert_eq!(moved.header("location"), Some("/api/v1/articles/summit"));
}

#[tokio::test]
async fn a_draft_that_was_never_public_keeps_no_old_slug() {
    let app = spawn_app().await;
    let draft = app
        .create(
            "/api/v1/articles",
            json!({"title": "Draft", "body": "x", "status": "draft"}),
        )
        .await;
    let id = draft["id"].as_i64().expect("id");
    app.patch(
        &format!("/api/v1/articles/{id}"),
        &json!({"slug": "draft-renamed"}),
    )
    .await;
    app.get("/api/v1/articles/draft").await.assert_problem(404);
    // The slug is free again.
    let other = app
        .create(
            "/api/v1/articles",
            json!({"title": "Other", "slug": "draft", "body": "x"}),
        )
        .await;
    assert_eq!(other["slug"], "draft");
}

#[tokio::test]
async fn topics_and_entities_redirect_from_old_slugs_until_deleted() {
    let app = spawn_app().await;
    app.topic("Korea", None).await;
    let renamed = app
        .patch("/api/v1/topics/korea", &json!({"slug": "korean-peninsula"}))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let moved = app.get("/api/v1/topics/korea").await;
    assert_eq!(moved.status, 301);
    assert_eq!(
        moved.header("location"),
        Some("/api/v1/topics/korean-peninsula")
    );
    app.post("/api/v1/topics", &json!({"name": "Korea", "slug": "korea"}))
        .await
        .assert_problem(409);

    app.entity("DPRK", "country").await;
    app.patch("/api/v1/entities/dprk", &json!({"slug": "north-korea"}))
        .await;
    let moved = app.get("/api/v1/entities/dprk").await;
    assert_eq!(moved.status, 301);
    assert_eq!(moved.json, json!({"slug": "north-korea"}));

    // Once the entity is gone, its old links are dead and the slug is free.
    assert_eq!(app.delete("/api/v1/entities/north-korea").await.status, 204);
    app.get("/api/v1/entities/dprk").await.assert_problem(404);
    let again = app.entity("DPRK", "country").await;
    assert_eq!(again["slug"], "dprk");
}
