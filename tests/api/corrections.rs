//! Corrections: published with the article, oldest first, in single and
//! list answers; append-only once the article has been public.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_correction_shows_in_the_article_and_its_list_and_moves_its_version() {
    let app = spawn_app().await;
    let article = app.article("G7 statement", &[], &[]).await;
    let id = article["id"].as_i64().expect("id");
    assert_eq!(article["corrections"], json!([]));

    let first = app
        .post(
            &format!("/api/v1/articles/{id}/corrections"),
            &json!({"kind": "correction", "text": "The statement was issued on Friday, not Saturday."}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.json["kind"], "correction");
    let second = app
        .post(
            "/api/v1/articles/g7-statement/corrections",
            &json!({"kind": "update", "text": "Russia has since responded."}),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);

    let shown = app.get(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(shown.status, 200);
    let corrections = shown.json["corrections"].as_array().expect("corrections");
    assert_eq!(corrections.len(), 2);
    assert_eq!(corrections[0], first.json);
    assert_eq!(corrections[1]["text"], "Russia has since responded.");
    assert_eq!(
        shown.json["version"],
        article["version"].as_i64().expect("v") + 2
    );
    assert!(shown.json["updated_at"].as_str() > article["updated_at"].as_str());

    let listed = app.get("/api/v1/articles").await;
    assert_eq!(
        listed.json["data"][0]["corrections"],
        shown.json["corrections"]
    );
}

#[tokio::test]
async fn once_public_a_correction_is_on_the_record_even_after_unpublishing() {
    let app = spawn_app().await;
    let article = app.article("Missile launch", &[], &[]).await;
    let id = article["id"].as_i64().expect("id");
    let added = app
        .post(
            &format!("/api/v1/articles/{id}/corrections"),
            &json!({"kind": "clarification", "text": "The range was estimated by Seoul."}),
        )
        .await;
    let cid = added.json["id"].as_i64().expect("id");
    let path = format!("/api/v1/articles/{id}/corrections/{cid}");
    app.patch(&path, &json!({"text": "Changed"}))
        .await
        .assert_problem(409);
    app.delete(&path).await.assert_problem(409);
    // Taken back to draft, it was still public once.
    app.patch(
        &format!("/api/v1/articles/{id}"),
        &json!({"status": "draft"}),
    )
    .await;
    app.delete(&path).await.assert_problem(409);
    let shown = app
        .get_as(&app.admin_token, &format!("/api/v1/articles/{id}"))
        .await;
    assert_eq!(
        shown.json["corrections"][0]["text"],
        "The range was estimated by Seoul."
    );
}

#[tokio::test]
async fn before_publication_corrections_can_be_edited_and_removed() {
    let app = spawn_app().await;
    let draft = app
        .create(
            "/api/v1/articles",
            json!({"title": "Draft", "body": "x", "status": "draft"}),
        )
        .await;
    let id = draft["id"].as_i64().expect("id");
    let added = app
        .post(
            &format!("/api/v1/articles/{id}/corrections"),
            &json!({"kind": "update", "text": "First wording"}),
        )
        .await;
    let cid = added.json["id"].as_i64().expect("id");
    let path = format!("/api/v1/articles/{id}/corrections/{cid}");
    let changed = app
        .patch(
            &path,
            &json!({"kind": "clarification", "text": "Second wording"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json["kind"], "clarification");
    assert_eq!(app.delete(&path).await.status, 204);
    app.delete(&path).await.assert_problem(404);
    let shown = app
        .get_as(&app.admin_token, &format!("/api/v1/articles/{id}"))
        .await;
    assert_eq!(shown.json["corrections"], json!([]));
}

#[tokio::test]
async fn corrections_need_an_editor_and_valid_fields() {
    let app = spawn_app().await;
    let article = app.article("Sanctions", &[], &[]).await;
    let id = article["id"].as_i64().expect("id");
    let path = format!("/api/v1/articles/{id}/corrections");
    let (_, author) = app.staff("author").await;
    let body = json!({"kind": "correction", "text": "x"});
    app.send(app.client.post(app.url(&path)).json(&body))
        .await
        .assert_problem(401);
    app.json_as(&author, reqwest::Method::POST, &path, &body)
        .await
        .assert_problem(403);
    let bad_kind = app
        .post(&path, &json!({"kind": "erratum", "text": "x"}))
        .await;
    bad_kind.assert_problem(422);
    assert_eq!(bad_kind.error_fields(), ["kind"]);
    let blank = app
        .post(&path, &json!({"kind": "correction", "text": "  "}))
        .await;
    blank.assert_problem(422);
    assert_eq!(blank.error_fields(), ["text"]);
    app.post(
        &path,
        &json!({"kind": "correction", "text": "x".repeat(2001)}),
    )
    .await
    .assert_problem(422);
    app.post(
        "/api/v1/articles/no-such-story/corrections",
        &json!({"kind": "correction", "text": "x"}),
    )
    .await
    .assert_problem(404);
}
