//! What the HTTP layer refuses, and how: always an RFC 9457 problem.

use actix_web::{App, HttpResponse, HttpServer, middleware::from_fn, web};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, spawn_app};

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = spawn_app().await;
    for body in ["{\"name\": ", "not json", "{\"name\": \"x\"} trailing", ""] {
        let reply = app
            .raw(Method::POST, "/api/v1/topics", "application/json", body)
            .await;
        reply.assert_problem(400);
    }
}

#[tokio::test]
async fn a_wrong_type_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    let reply = app.post("/api/v1/articles", &json!({"title": 12})).await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["title"]);
    let nested = app
        .post(
            "/api/v1/articles",
            &json!({"title": "t", "topics": ["world", 3]}),
        )
        .await;
    nested.assert_problem(422);
    assert_eq!(nested.error_fields(), ["topics[1]"]);
    let not_an_object = app.post("/api/v1/articles", &json!(["title"])).await;
    not_an_object.assert_problem(422);
}

#[tokio::test]
async fn unknown_and_duplicate_json_fields_are_a_422() {
    let app = spawn_app().await;
    let unknown = app
        .post(
            "/api/v1/topics",
            &json!({"name": "World", "colour": "blue"}),
        )
        .await;
    unknown.assert_problem(422);
    assert_eq!(unknown.error_fields(), ["colour"]);
    let duplicate = app
        .raw(
            Method::POST,
            "/api/v1/topics",
            "application/json",
            r#"{"name": "A", "name": "B"}"#,
        )
        .await;
    duplicate.assert_problem(422);
    let list = app.get("/api/v1/topics").await;
    assert_eq!(list.json["meta"]["total"], 0, "nothing was stored");
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    app.get("/api/v1/nothing").await.assert_problem(404);
    app.get("/nothing/at/all").await.assert_problem(404);
    app.get("/api/v1/articles/1/nothing")
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn a_wrong_method_is_a_405_with_allow() {
    let app = spawn_app().await;
    let reply = app
        .send(app.client.post(app.url("/api/v1/articles/some-slug")))
        .await;
    reply.assert_problem(405);
    assert_eq!(reply.header("allow"), Some("GET, HEAD, PUT, PATCH, DELETE"));
    let on_list = app.send(app.client.delete(app.url("/api/v1/topics"))).await;
    on_list.assert_problem(405);
    assert_eq!(on_list.header("allow"), Some("GET, HEAD, POST"));
    let health = app.send(app.client.post(app.url("/healthz"))).await;
    health.assert_problem(405);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415() {
    let app = spawn_app().await;
    app.raw(
        Method::POST,
        "/api/v1/topics",
        "text/plain",
        r#"{"name": "World"}"#,
    )
    .await
    .assert_problem(415);
    app.raw(
        Method::POST,
        "/api/v1/topics",
        "application/x-www-form-urlencoded",
        "name=World",
    )
    .await
    .assert_problem(415);
    let without = app
        .send(
            app.client
                .post(app.url("/api/v1/topics"))
                .bearer_auth(&app.admin_token)
                .body(r#"{"name": "World"}"#),
        )
        .await;
    without.assert_problem(415);
    let merge_patch = app
        .raw(
            Method::POST,
            "/api/v1/topics",
            "application/json; charset=utf-8",
            r#"{"name": "World"}"#,
        )
        .await;
    assert_eq!(merge_patch.status, 201);
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_a_413() {
    let app = spawn_app().await;
    let body = json!({"title": "Big", "body": "a".repeat(1024 * 1024)}).to_string();
    app.raw(Method::POST, "/api/v1/articles", "application/json", body)
        .await
        .assert_problem(413);
    // Just under the limit but over the body field's own limit: a 422, not a 413.
    let body = json!({"title": "Big", "body": "a".repeat(1_000_001)}).to_string();
    let reply = app
        .raw(Method::POST, "/api/v1/articles", "application/json", body)
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["body"]);
}

#[tokio::test]
async fn wrong_types_and_unknown_parameters_in_the_query_are_a_400() {
    let app = spawn_app().await;
    app.get("/api/v1/articles?page=abc")
        .await
        .assert_problem(400);
    // `author` takes a slug as well as an id: a word is a value, not a type error.
    app.get("/api/v1/articles?author=me")
        .await
        .assert_problem(422);
    app.get("/api/v1/articles?sort=random")
        .await
        .assert_problem(400);
    app.get("/api/v1/articles?topics=world")
        .await
        .assert_problem(400);
}

#[tokio::test]
async fn no_error_shows_sql_paths_or_internals() {
    let app = spawn_app().await;
    let replies = [
        app.get("/api/v1/articles/%00").await,
        app.get("/api/v1/articles?topic=world'%20OR%201=1--").await,
        app.get("/api/v1/articles/..%2F..%2Fetc%2Fpasswd").await,
        app.post(
            "/api/v1/topics",
            &json!({"name": "x", "parent": "'; DROP TABLE topics; --"}),
        )
        .await,
        app.raw(
            Method::POST,
            "/api/v1/topics",
            "application/json",
            "{\"name\": \"\\u0000\"}",
        )
        .await,
    ];
    for reply in replies {
        assert!(
            reply.status.is_client_error(),
            "{} {}",
            reply.status,
            reply.text
        );
        let text = reply.text.to_lowercase();
        for leak in [
            "select",
            "sqlite",
            "diesel",
            "/tmp",
            ".rs",
            "panicked",
            "constraint",
        ] {
            assert!(!text.contains(leak), "{leak} leaked in {text}");
        }
    }
    assert_eq!(app.get("/readyz").await.status, 200);
}

#[tokio::test]
async fn a_panic_in_a_handler_is_a_500_problem_and_the_server_keeps_serving() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = HttpServer::new(|| {
        App::new()
            .wrap(from_fn(newsdesk::app::catch_panic))
            .route(
                "/boom",
                web::get().to(|| async {
                    if std::hint::black_box(true) {
                        panic!("secret detail from /src/handler.rs");
                    }
                    HttpResponse::Ok().finish()
                }),
            )
            .route(
                "/fine",
                web::get().to(|| async { HttpResponse::Ok().body("fine") }),
            )
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let boom = client
            .get(format!("http://127.0.0.1:{port}/boom"))
            .send()
            .await
            .unwrap();
        assert_eq!(boom.status(), 500);
        assert_eq!(boom.headers()["content-type"], "application/problem+json");
        let text = boom.text().await.unwrap();
        assert!(!text.contains("secret") && !text.contains(".rs"), "{text}");
        let fine = client
            .get(format!("http://127.0.0.1:{port}/fine"))
            .send()
            .await
            .unwrap();
        assert_eq!(fine.status(), 200);
    }
}

#[tokio::test]
async fn a_json_array_or_bare_value_is_never_taken_for_an_object() {
    let app = spawn_app().await;
    let sign_in = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/token"))
                .json(&json!([ADMIN_EMAIL, ADMIN_PASSWORD])),
        )
        .await;
    sign_in.assert_problem(422);
    assert_eq!(sign_in.error_fields(), ["body"]);
    for (path, body) in [
        ("/api/v1/articles", json!(["A title", "", null])),
        ("/api/v1/topics", json!(["World"])),
        ("/api/v1/topics", json!("World")),
        ("/api/v1/topics", json!(12)),
    ] {
        let reply = app.post(path, &body).await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), ["body"], "{path} {body}");
    }
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "Open", "status": "published"}),
        )
        .await;
    let comment = app
        .send(
            app.client
                .post(app.url(&format!("/api/v1/articles/{}/comments", article["id"])))
                .json(&json!(["Min-jun", "minjun@example.org", null, "Hello"])),
        )
        .await;
    comment.assert_problem(422);
    assert_eq!(app.get("/api/v1/topics").await.json["meta"]["total"], 0);
}

#[tokio::test]
async fn a_422_names_every_bad_field_with_type_and_unknown_errors_among_them() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({"title": "", "status": "live", "summary": "x".repeat(1001), "colour": "red"}),
        )
        .await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["colour", "status", "summary", "title"]);
    // A required field of the wrong type is named once, not again as missing.
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({"title": 12, "subtitle": "ok", "comments_open": "yes", "summary": "x".repeat(1001), "slug": "Not A Slug"}),
        )
        .await;
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["comments_open", "slug", "summary", "title"]);
    let patch = app
        .post("/api/v1/users", &json!({"email": "nope", "display_name": "", "role": "editor", "password": "short", "active": "yes"}))
        .await;
    let mut fields = patch.error_fields();
    fields.sort();
    assert_eq!(fields, ["active", "display_name", "email", "password"]);
}

#[tokio::test]
async fn refusals_of_the_cors_and_compression_layers_are_problems_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(&dir);
    config.cors_origins = vec!["https://news.example".to_owned()];
    let app = crate::helpers::spawn_app_with(config, dir).await;
    let identity_refused = app
        .send(
            app.client
                .get(app.url("/api/v1/articles"))
                .header("accept-encoding", "identity;q=0"),
        )
        .await;
    let problem = identity_refused.assert_problem(406);
    assert_eq!(problem["title"], "Not Acceptable");
    let preflight = app
        .send(
            app.client
                .request(Method::OPTIONS, app.url("/api/v1/articles"))
                .header("origin", "https://elsewhere.example")
                .header("access-control-request-method", "GET"),
        )
        .await;
    let problem = preflight.assert_problem(400);
    assert!(
        problem["detail"].as_str().unwrap().contains("origin"),
        "{problem}"
    );
    // The allowed origin still gets its preflight answered.
    let allowed = app
        .send(
            app.client
                .request(Method::OPTIONS, app.url("/api/v1/articles"))
                .header("origin", "https://news.example")
                .header("access-control-request-method", "GET"),
        )
        .await;
    assert_eq!(allowed.status, 200, "{}", allowed.text);
}
