//! Who may write what, and who sees which articles.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn article_as(app: &TestApp, token: &str, body: Value) -> Value {
    let reply = app
        .json_as(token, Method::POST, "/api/v1/articles", &body)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.json
}

#[tokio::test]
async fn anonymous_writes_are_a_401_and_change_nothing() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    for (method, path) in [
        (Method::POST, "/api/v1/articles"),
        (Method::POST, "/api/v1/topics"),
        (Method::PATCH, "/api/v1/topics/world"),
        (Method::PUT, "/api/v1/topics/world"),
        (Method::POST, "/api/v1/entities"),
        (Method::POST, "/api/v1/users"),
        (Method::GET, "/api/v1/users"),
    ] {
        let reply = app
            .json_as(
                "",
                method.clone(),
                path,
                &json!({"name": "Hacked", "title": "Hacked"}),
            )
            .await;
        reply.assert_problem(401);
        assert!(
            reply.header("www-authenticate").is_some(),
            "{method} {path}"
        );
    }
    app.delete_as("", "/api/v1/topics/world")
        .await
        .assert_problem(401);
    assert_eq!(app.get("/api/v1/topics/world").await.json["name"], "World");
}

#[tokio::test]
async fn topics_and_entities_are_for_editors_and_admins() {
    let app = spawn_app().await;
    let (_, author) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let refused = app
        .json_as(
            &author,
            Method::POST,
            "/api/v1/topics",
            &json!({"name": "World"}),
        )
        .await;
    refused.assert_problem(403);
    let refused = app
        .json_as(
            &author,
            Method::POST,
            "/api/v1/entities",
            &json!({"name": "G7", "kind": "organisation"}),
        )
        .await;
    refused.assert_problem(403);
    assert_eq!(app.get("/api/v1/topics").await.json["meta"]["total"], 0);
    let made = app
        .json_as(
            &editor,
            Method::POST,
            "/api/v1/topics",
            &json!({"name": "World"}),
        )
        .await;
    assert_eq!(made.status, 201);
    let made = app
        .json_as(
            &editor,
            Method::POST,
            "/api/v1/entities",
            &json!({"name": "G7", "kind": "organisation"}),
        )
        .await;
    assert_eq!(made.status, 201);
    app.json_as(
        &author,
        Method::PATCH,
        "/api/v1/topics/world",
        &json!({"name": "Abroad"}),
    )
    .await
    .assert_problem(403);
    app.json_as(
        &author,
        Method::PUT,
        "/api/v1/entities/g7",
        &json!({"name": "G8", "kind": "organisation"}),
    )
    .await
    .assert_problem(403);
    app.delete_as(&author, "/api/v1/topics/world")
        .await
        .assert_problem(403);
    app.delete_as(&author, "/api/v1/entities/g7")
        .await
        .assert_problem(403);
    assert_eq!(app.get("/api/v1/topics/world").await.json["name"], "World");
    assert_eq!(
        app.json_as(
            &editor,
            Method::PATCH,
            "/api/v1/entities/g7",
            &json!({"name": "Group of Seven"})
        )
        .await
        .status,
        200
    );
    assert_eq!(
        app.delete_as(&editor, "/api/v1/topics/world").await.status,
        204
    );
}

#[tokio::test]
async fn an_author_owns_what_they_write_and_cannot_touch_others_work() {
    let app = spawn_app().await;
    let (author_id, author) = app.staff("author").await;
    let (_, other) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let mine = article_as(&app, &author, json!({"title": "Mine"})).await;
    assert_eq!(mine["author"]["id"], author_id);
    let path = format!("/api/v1/articles/{}", mine["id"]);

    // The owner edits; another author may neither edit nor delete.
    assert_eq!(
        app.json_as(&author, Method::PATCH, &path, &json!({"summary": "mine"}))
            .await
            .status,
        200
    );
    app.json_as(&other, Method::PATCH, &path, &json!({"summary": "theirs"}))
        .await
        .assert_problem(403);
    app.json_as(&other, Method::PUT, &path, &json!({"title": "Theirs"}))
        .await
        .assert_problem(403);
    app.delete_as(&other, &path).await.assert_problem(403);
    assert_eq!(
        app.admin_get(&path).await.json["summary"],
        "mine",
        "a refused write changes nothing"
    );

    // An editor edits anyone's article.
    assert_eq!(
        app.json_as(&editor, Method::PATCH, &path, &json!({"byline": "Desk"}))
            .await
            .status,
        200
    );

    // Authors delete their own drafts only.
    let published = article_as(
        &app,
        &author,
        json!({"title": "Live", "status": "published"}),
    )
    .await;
    let published_path = format!("/api/v1/articles/{}", published["id"]);
    app.delete_as(&author, &published_path)
        .await
        .assert_problem(403);
    assert_eq!(app.delete_as(&author, &path).await.status, 204);
    assert_eq!(app.delete_as(&editor, &published_path).await.status, 204);
}

#[tokio::test]
async fn only_editors_may_reassign_an_article_and_the_body_cannot_set_author() {
    let app = spawn_app().await;
    let (author_id, author) = app.staff("author").await;
    let (other_id, _) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let mass_assignment = app
        .json_as(
            &author,
            Method::POST,
            "/api/v1/articles",
            &json!({"title": "T", "author": {"id": other_id, "display_name": "x"}}),
        )
        .await;
    mass_assignment.assert_problem(422);
    assert_eq!(mass_assignment.error_fields(), ["author"]);
    app.json_as(
        &author,
        Method::POST,
        "/api/v1/articles",
        &json!({"title": "T", "author_id": other_id}),
    )
    .await
    .assert_problem(403);
    let own_id = article_as(
        &app,
        &author,
        json!({"title": "Mine", "author_id": author_id}),
    )
    .await;
    assert_eq!(own_id["author"]["id"], author_id);
    let path = format!("/api/v1/articles/{}", own_id["id"]);
    app.json_as(
        &author,
        Method::PATCH,
        &path,
        &json!({"author_id": other_id}),
    )
    .await
    .assert_problem(403);
    let moved = app
        .json_as(
            &editor,
            Method::PATCH,
            &path,
            &json!({"author_id": other_id}),
        )
        .await;
    assert_eq!(moved.status, 200);
    assert_eq!(moved.json["author"]["id"], other_id);
    let unknown = app
        .json_as(&editor, Method::PATCH, &path, &json!({"author_id": 9999}))
        .await;
    unknown.assert_problem(422);
    assert_eq!(unknown.error_fields(), ["author_id"]);
}

#[tokio::test]
async fn users_are_for_admins_only() {
    let app = spawn_app().await;
    let (_, editor) = app.staff("editor").await;
    app.get_as(&editor, "/api/v1/users")
        .await
        .assert_problem(403);
    app.get_as(&editor, "/api/v1/users/2")
        .await
        .assert_problem(403);
    let body = json!({"email": "x@newsroom.example", "display_name": "X", "role": "admin", "password": "long enough password"});
    app.json_as(&editor, Method::POST, "/api/v1/users", &body)
        .await
        .assert_problem(403);
    app.json_as(
        &editor,
        Method::PATCH,
        "/api/v1/users/2",
        &json!({"role": "author"}),
    )
    .await
    .assert_problem(403);
    app.delete_as(&editor, "/api/v1/users/2")
        .await
        .assert_problem(403);
    assert_eq!(app.admin_get("/api/v1/users/2").await.json["role"], "admin");
}

#[tokio::test]
async fn each_audience_sees_what_its_role_allows() {
    let app = spawn_app().await;
    let (_, author) = app.staff("author").await;
    let (_, other) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    for (title, status) in [
        ("Public", "published"),
        ("Mine draft", "draft"),
        ("Mine archived", "archived"),
    ] {
        article_as(&app, &author, json!({"title": title, "status": status})).await;
    }
    article_as(&app, &other, json!({"title": "Their draft"})).await;
    article_as(&app, &author, json!({"title": "Mine later", "status": "scheduled", "published_at": "2999-01-01T00:00:00Z"})).await;

    assert_eq!(app.slugs("/api/v1/articles").await, ["public"]);
    let mut author_sees = app.slugs_as(&author, "/api/v1/articles?sort=title").await;
    author_sees.sort();
    assert_eq!(
        author_sees,
        ["mine-archived", "mine-draft", "mine-later", "public"]
    );
    assert_eq!(
        app.slugs_as(&author, "/api/v1/articles?status=draft").await,
        ["mine-draft"]
    );
    assert_eq!(
        app.slugs_as(&editor, "/api/v1/articles?status=draft&sort=title")
            .await,
        ["mine-draft", "their-draft"]
    );
    assert_eq!(app.slugs_as(&editor, "/api/v1/articles").await.len(), 5);
    assert_eq!(
        app.get_as(&author, "/api/v1/articles")
            .await
            .header("x-total-count"),
        Some("4")
    );

    for status in ["draft", "scheduled", "archived"] {
        app.get(&format!("/api/v1/articles?status={status}"))
            .await
            .assert_problem(403);
    }
    app.get("/api/v1/articles/mine-draft")
        .await
        .assert_problem(404);
    app.get("/api/v1/articles/mine-later")
        .await
        .assert_problem(404);
    app.get_as(&other, "/api/v1/articles/mine-draft")
        .await
        .assert_problem(404);
    assert_eq!(
        app.get_as(&author, "/api/v1/articles/mine-draft")
            .await
            .status,
        200
    );
    assert_eq!(
        app.get_as(&editor, "/api/v1/articles/their-draft")
            .await
            .status,
        200
    );
    assert_eq!(app.get("/api/v1/articles/public").await.status, 200);
}

#[tokio::test]
async fn a_scheduled_article_turns_public_in_lists_pages_and_counts_when_its_time_passes() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.entity("G7", "organisation").await;
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(800)).to_rfc3339();
    app.create(
        "/api/v1/articles",
        json!({"title": "Soon", "status": "scheduled", "published_at": soon, "topics": ["world"], "entities": ["g7"]}),
    )
    .await;
    app.get("/api/v1/articles/soon").await.assert_problem(404);
    assert_eq!(
        app.get("/api/v1/topics/world").await.json["article_count"],
        0
    );
    assert_eq!(
        app.get("/api/v1/entities/g7").await.json["article_count"],
        0
    );
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let article = app.get("/api/v1/articles/soon").await;
    assert_eq!(article.status, 200);
    assert_eq!(article.json["status"], "published");
    assert_eq!(
        app.slugs("/api/v1/articles?status=published").await,
        ["soon"]
    );
    assert_eq!(
        app.get("/api/v1/topics/world").await.json["article_count"],
        1
    );
    assert_eq!(
        app.get("/api/v1/entities/g7").await.json["article_count"],
        1
    );
}
