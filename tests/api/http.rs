//! HTTP behaviour: conditional requests, caching, CORS, compression,
//! request ids and security headers.

use reqwest::Method;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

async fn get_if_none_match(app: &TestApp, path: &str, etag: &str) -> crate::helpers::Reply {
    app.send(app.client.get(app.url(path)).header("if-none-match", etag))
        .await
}

async fn with_if_match(
    app: &TestApp,
    method: Method,
    path: &str,
    etag: &str,
    body: serde_json::Value,
) -> crate::helpers::Reply {
    let request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&app.admin_token)
        .header("if-match", etag);
    let request = if body.is_null() {
        request
    } else {
        request.json(&body)
    };
    app.send(request).await
}

#[tokio::test]
async fn single_resources_answer_304_to_their_etag() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.entity("G7", "organisation").await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Summit", "status": "published"}),
    )
    .await;
    let comment = app
        .post(
            "/api/v1/articles/summit/comments",
            &json!({"body": "Staff note"}),
        )
        .await
        .json;
    for path in [
        "/api/v1/articles/summit",
        "/api/v1/topics/world",
        "/api/v1/entities/g7",
        &format!("/api/v1/comments/{}", comment["id"]),
    ] {
        let first = app.get(path).await;
        let etag = first
            .header("etag")
            .unwrap_or_else(|| panic!("{path} has no ETag"))
            .to_owned();
        let again = get_if_none_match(&app, path, &etag).await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.text.is_empty());
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        assert_eq!(get_if_none_match(&app, path, "\"other\"").await.status, 200);
    }
}

#[tokio::test]
async fn a_list_etag_changes_when_its_content_does() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/articles",
        json!({"title": "One", "status": "published"}),
    )
    .await;
    let first = app.get("/api/v1/articles").await;
    let etag = first.header("etag").unwrap().to_owned();
    assert_eq!(
        get_if_none_match(&app, "/api/v1/articles", &etag)
            .await
            .status,
        304
    );
    assert_eq!(
        get_if_none_match(&app, "/api/v1/articles", &format!("W/{etag}"))
            .await
            .status,
        304,
        "weak comparison on GET"
    );
    app.patch("/api/v1/articles/one", &json!({"title": "One, updated"}))
        .await;
    let changed = get_if_none_match(&app, "/api/v1/articles", &etag).await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag").unwrap(), etag);
    let topics = app
        .get("/api/v1/topics")
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    app.topic("World", None).await;
    assert_ne!(
        app.get("/api/v1/topics").await.header("etag").unwrap(),
        topics
    );
}

#[tokio::test]
async fn a_stale_if_match_is_a_412_on_every_resource_and_changes_nothing() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.entity("G7", "organisation").await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Summit", "status": "published"}),
    )
    .await;
    let comment = app
        .post(
            "/api/v1/articles/summit/comments",
            &json!({"body": "Staff note"}),
        )
        .await
        .json;
    let comment_path = format!("/api/v1/comments/{}", comment["id"]);
    let cases = [
        (
            "/api/v1/articles/summit",
            json!({"title": "Changed"}),
            json!({"title": "Summit"}),
        ),
        (
            "/api/v1/topics/world",
            json!({"name": "Changed"}),
            json!({"name": "World"}),
        ),
        (
            "/api/v1/entities/g7",
            json!({"name": "Changed"}),
            json!({"name": "G7", "kind": "organisation"}),
        ),
        (
            comment_path.as_str(),
            json!({"body": "Changed"}),
            json!(null),
        ),
    ];
    for (path, patch, put) in cases {
        let before = app.admin_get(path).await;
        let stale = before.header("etag").unwrap().to_owned();
        // Someone else changes it first.
        let other = app.patch(path, &json!({})).await;
        assert_eq!(other.status, 200, "{path}");
        let theirs = app.patch(path, &patch).await;
        assert_eq!(theirs.status, 200, "{path}: {}", theirs.text);
        let current = theirs.header("etag").unwrap().to_owned();
        assert_ne!(current, stale, "{path}");

        let mine: serde_json::Map<String, serde_json::Value> = patch
            .as_object()
            .unwrap()
            .keys()
            .map(|key| (key.clone(), json!("Mine")))
            .collect();
        with_if_match(&app, Method::PATCH, path, &stale, mine.into())
            .await
            .assert_problem(412);
        if !put.is_null() {
            with_if_match(&app, Method::PUT, path, &stale, put.clone())
                .await
                .assert_problem(412);
        }
        with_if_match(&app, Method::DELETE, path, &stale, serde_json::Value::Null)
            .await
            .assert_problem(412);
        with_if_match(
            &app,
            Method::DELETE,
            path,
            &format!("W/{current}"),
            serde_json::Value::Null,
        )
        .await
        .assert_problem(412);
        let after = app.admin_get(path).await;
        assert_eq!(after.json, theirs.json, "{path}: a 412 changed nothing");

        let fresh = with_if_match(&app, Method::PATCH, path, &current, patch.clone()).await;
        assert_eq!(fresh.status, 200, "{path}: {}", fresh.text);
    }
    let star = with_if_match(
        &app,
        Method::DELETE,
        "/api/v1/topics/world",
        "*",
        serde_json::Value::Null,
    )
    .await;
    assert_eq!(star.status, 204);
}

#[tokio::test]
async fn anonymous_gets_are_public_and_signed_in_ones_private() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Summit", "status": "published"}),
    )
    .await;
    for path in [
        "/api/v1/articles",
        "/api/v1/articles/summit",
        "/feeds/articles.atom",
    ] {
        let public = app.get(path).await;
        assert_eq!(
            public.header("cache-control"),
            Some("public, max-age=60"),
            "{path}"
        );
        assert!(
            public
                .headers
                .get_all("vary")
                .iter()
                .any(|v| v.to_str().unwrap().contains("Authorization")),
            "{path}"
        );
        let private = app.admin_get(path).await;
        assert_eq!(
            private.header("cache-control"),
            Some("private, no-store"),
            "{path}"
        );
    }
    assert_eq!(
        app.get("/healthz").await.header("cache-control"),
        Some("no-store")
    );
    assert_eq!(
        app.get("/api/v1/nothing").await.header("cache-control"),
        Some("no-store")
    );
    let write = app
        .patch("/api/v1/articles/summit", &json!({"summary": "x"}))
        .await;
    assert_eq!(write.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn cors_preflight_allows_writes_with_authorization_and_if_match() {
    let app = spawn_app().await;
    let preflight = app
        .send(
            app.client
                .request(Method::OPTIONS, app.url("/api/v1/articles/summit"))
                .header("origin", "https://news.example")
                .header("access-control-request-method", "PATCH")
                .header(
                    "access-control-request-headers",
                    "authorization, if-match, content-type",
                ),
        )
        .await;
    assert!(
        preflight.status.is_success(),
        "{} {}",
        preflight.status,
        preflight.text
    );
    assert_eq!(preflight.header("access-control-allow-origin"), Some("*"));
    let methods = preflight
        .header("access-control-allow-methods")
        .unwrap()
        .to_uppercase();
    assert!(
        methods.contains("PATCH") && methods.contains("DELETE"),
        "{methods}"
    );
    let headers = preflight
        .header("access-control-allow-headers")
        .unwrap()
        .to_lowercase();
    assert!(
        headers.contains("authorization") && headers.contains("if-match"),
        "{headers}"
    );
    assert!(
        preflight
            .header("access-control-allow-credentials")
            .is_none()
    );
    let simple = app
        .send(
            app.client
                .get(app.url("/api/v1/articles"))
                .header("origin", "https://news.example"),
        )
        .await;
    assert_eq!(simple.header("access-control-allow-origin"), Some("*"));
    let exposed = simple
        .header("access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("x-total-count") && exposed.contains("link"),
        "{exposed}"
    );
}

#[tokio::test]
async fn cors_origins_can_be_limited() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = crate::helpers::test_config(&dir);
    config.cors_origins = vec!["https://news.example".to_owned()];
    let app = crate::helpers::spawn_app_with(config, dir).await;
    let allowed = app
        .send(
            app.client
                .get(app.url("/api/v1/articles"))
                .header("origin", "https://news.example"),
        )
        .await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("https://news.example")
    );
    let other = app
        .send(
            app.client
                .get(app.url("/api/v1/articles"))
                .header("origin", "https://evil.example"),
        )
        .await;
    assert!(other.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn responses_are_compressed_when_asked() {
    let app = spawn_app().await;
    for n in 0..20 {
        app.create(
            "/api/v1/articles",
            json!({"title": format!("A rather long title number {n}"), "status": "published"}),
        )
        .await;
    }
    for (encoding, expected) in [
        ("gzip", "gzip"),
        ("br", "br"),
        ("br;q=1.0, gzip;q=0.5", "br"),
    ] {
        let reply = app
            .send(
                app.client
                    .get(app.url("/api/v1/articles"))
                    .header("accept-encoding", encoding),
            )
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.header("content-encoding"),
            Some(expected),
            "{encoding}"
        );
    }
    let plain = app.get("/api/v1/articles").await;
    assert!(plain.header("content-encoding").is_none());
    assert_eq!(plain.json["meta"]["total"], 20);
}

#[tokio::test]
async fn every_response_has_a_request_id_and_security_headers() {
    let app = spawn_app().await;
    let generated = app.get("/api/v1/articles").await;
    let id = generated.header("x-request-id").unwrap();
    assert_eq!(id.len(), 32);
    assert_eq!(generated.header("x-content-type-options"), Some("nosniff"));
    let echoed = app
        .send(
            app.client
                .get(app.url("/api/v1/nothing"))
                .header("x-request-id", "trace-abc-123"),
        )
        .await;
    assert_eq!(echoed.header("x-request-id"), Some("trace-abc-123"));
    assert_eq!(echoed.status, 404);
    let junk = app
        .send(
            app.client
                .get(app.url("/healthz"))
                .header("x-request-id", "x".repeat(500)),
        )
        .await;
    assert_eq!(
        junk.header("x-request-id").unwrap().len(),
        32,
        "an unreasonable id is replaced"
    );
    let ui = app.get("/swagger-ui/").await;
    let csp = ui.header("content-security-policy").unwrap();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(
        app.get("/api/v1/articles")
            .await
            .header("content-security-policy")
            .is_none()
    );
}

/// Cached articles and lists are kept zstd-packed: a client that prefers
/// zstd gets those bytes, any other the same JSON (plain, or compressed as
/// it asks), and all carry one ETag and say that the coding varies.
#[tokio::test]
async fn cached_answers_come_packed_or_plain_with_the_same_content() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Packed", "status": "published", "body": "North Korea warned the G7. ".repeat(100)}),
    )
    .await;
    for path in ["/api/v1/articles/packed", "/api/v1/articles?per_page=5"] {
        for _ in 0..2 {
            // The first round fills the cache, the second is served from it.
            let plain = app.get(path).await;
            assert!(plain.header("content-encoding").is_none());
            for (accept, coding) in [
                ("zstd", "zstd"),
                ("gzip", "gzip"),
                ("br;q=1, zstd;q=0.5", "br"),
            ] {
                let reply = app
                    .client
                    .get(app.url(path))
                    .header("accept-encoding", accept)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(reply.status(), 200);
                let headers = reply.headers().clone();
                assert_eq!(headers["content-encoding"], coding, "{path} {accept}");
                assert_eq!(headers["etag"], plain.header("etag").unwrap(), "{path}");
                let vary: Vec<&str> = headers
                    .get_all("vary")
                    .iter()
                    .map(|v| v.to_str().unwrap())
                    .collect();
                assert!(
                    vary.join(",").contains("Accept-Encoding"),
                    "{path}: {vary:?}"
                );
                let bytes = reply.bytes().await.unwrap();
                assert!(bytes.len() < plain.text.len(), "{path} {accept}");
                if coding == "zstd" {
                    let unpacked = zstd::bulk::decompress(&bytes, 1 << 20).unwrap();
                    assert_eq!(unpacked, plain.text.as_bytes(), "{path}");
                }
            }
        }
    }
}

/// HEAD answers as GET does, headers and all, without the body.
#[tokio::test]
async fn head_is_get_without_the_body() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Headline", "status": "published"}),
    )
    .await;
    for path in [
        "/api/v1/articles",
        "/api/v1/articles/headline",
        "/feeds/articles.atom",
        "/healthz",
    ] {
        let get = app.get(path).await;
        let head = app
            .send(app.client.request(Method::HEAD, app.url(path)))
            .await;
        assert_eq!(head.status, 200, "{path}");
        assert!(head.text.is_empty(), "{path}");
        assert_eq!(
            head.header("content-length"),
            Some(get.text.len().to_string().as_str()),
            "{path}"
        );
        for name in ["etag", "content-type", "cache-control"] {
            assert_eq!(head.header(name), get.header(name), "{path} {name}");
        }
    }
    let missing = app
        .send(
            app.client
                .request(Method::HEAD, app.url("/api/v1/articles/nope")),
        )
        .await;
    assert_eq!(missing.status, 404);
    assert!(missing.text.is_empty());
    // Still no writes by HEAD's back door.
    let list = app.get("/api/v1/articles").await;
    assert_eq!(list.json["meta"]["total"], 1);
}

/// A GET with `If-None-Match: etag`: 304 only while the bytes are the same.
async fn revalidate(app: &TestApp, path: &str, etag: &str) -> u16 {
    app.send(app.client.get(app.url(path)).header("if-none-match", etag))
        .await
        .status
        .as_u16()
}

#[tokio::test]
async fn etags_change_whenever_the_bytes_do() {
    let app = spawn_app().await;
    let (author_id, author) = app.staff("author").await;
    let article = app
        .json_as(
            &author,
            Method::POST,
            "/api/v1/articles",
            &json!({"title": "By an author", "status": "published"}),
        )
        .await
        .json;
    // The author's display name is embedded in the article and its lists.
    let path = format!("/api/v1/articles/{}", article["id"]);
    let before = app.etag_as("", &path).await;
    let list_before = app.etag_as("", "/api/v1/articles").await;
    assert_eq!(revalidate(&app, &path, &before).await, 304);
    let renamed = app
        .patch(
            &format!("/api/v1/users/{author_id}"),
            &json!({"display_name": "New name"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(revalidate(&app, &path, &before).await, 200);
    assert_eq!(
        revalidate(&app, "/api/v1/articles", &list_before).await,
        200
    );

    // A topic shows its parent's name.
    app.topic("World", None).await;
    app.topic("Asia", Some("world")).await;
    let before = app.etag_as("", "/api/v1/topics/asia").await;
    app.patch("/api/v1/topics/world", &json!({"name": "The World"}))
        .await;
    assert_eq!(revalidate(&app, "/api/v1/topics/asia", &before).await, 200);

    // A scheduled article reads `published` once its time has passed.
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(600)).to_rfc3339();
    let scheduled = app
        .create(
            "/api/v1/articles",
            json!({"title": "Soon", "status": "scheduled", "published_at": soon}),
        )
        .await;
    let path = format!("/api/v1/articles/{}", scheduled["id"]);
    let before = app.etag_as(&app.admin_token, &path).await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let after = app.get_as(&app.admin_token, &path).await;
    assert_eq!(after.json["status"], "published");
    assert_ne!(after.header("etag"), Some(before.as_str()));
    // And every tag a GET gives is one If-Match takes.
    let current = app.etag_as("", &path).await;
    let saved = app
        .json_if_match(
            Method::PATCH,
            &path,
            &current,
            Some(&json!({"byline": "Staff"})),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    app.json_if_match(
        Method::PATCH,
        &path,
        &current,
        Some(&json!({"byline": "Lost"})),
    )
    .await
    .assert_problem(412);
}
