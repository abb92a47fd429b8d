//! Preview links: a token that shows one article as staff see it, to
//! anyone holding it, read only, until it expires or is revoked.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{JWT_SECRET, TestApp, signed, spawn_app, spawn_app_with, test_config};

/// A draft (as the admin) and a preview token of it.
async fn draft_with_preview(app: &TestApp, title: &str) -> (i64, String, Value) {
    let draft = app
        .create(
            "/api/v1/articles",
            json!({"title": title, "body": "Not yet."}),
        )
        .await;
    let id = draft["id"].as_i64().expect("id");
    let preview = app
        .post(&format!("/api/v1/articles/{id}/preview"), &json!(null))
        .await;
    assert_eq!(preview.status, 201, "{}", preview.text);
    let token = preview.json["token"].as_str().expect("token").to_owned();
    (id, token, preview.json)
}

#[tokio::test]
async fn a_preview_token_shows_its_draft_to_anyone_uncached_and_unindexed() {
    let app = spawn_app().await;
    let (id, token, preview) = draft_with_preview(&app, "Embargoed story").await;
    assert!(
        preview["url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/articles/embargoed-story?preview={token}")),
        "{preview}"
    );
    app.get(&format!("/api/v1/articles/{id}"))
        .await
        .assert_problem(404);

    for path in [
        format!("/api/v1/articles/{id}?preview={token}"),
        format!("/api/v1/articles/embargoed-story?preview={token}"),
    ] {
        let shown = app.get(&path).await;
        assert_eq!(shown.status, 200, "{}", shown.text);
        assert_eq!(shown.json["title"], "Embargoed story");
        assert_eq!(shown.json["status"], "draft");
        assert_eq!(shown.header("cache-control"), Some("private, no-store"));
        assert_eq!(shown.header("x-robots-tag"), Some("noindex"));
    }
    // Seen through a preview, it is not in the public answers afterwards.
    app.get(&format!("/api/v1/articles/{id}"))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn a_preview_token_opens_no_other_article_list_or_write() {
    let app = spawn_app().await;
    let (id, token, _) = draft_with_preview(&app, "Embargoed story").await;
    let other = app
        .create(
            "/api/v1/articles",
            json!({"title": "Other draft", "body": "Secret."}),
        )
        .await;
    app.get(&format!("/api/v1/articles/{}?preview={token}", other["id"]))
        .await
        .assert_problem(403);
    let listed = app.get(&format!("/api/v1/articles?preview={token}")).await;
    assert!(
        !listed.text.contains("Embargoed story"),
        "a list ignores previews: {}",
        listed.text
    );
    // It is no bearer token.
    app.get_as(&token, &format!("/api/v1/articles/{id}"))
        .await
        .assert_problem(401);
    app.json_as(
        &token,
        Method::PATCH,
        &format!("/api/v1/articles/{id}"),
        &json!({"title": "Hijacked"}),
    )
    .await
    .assert_problem(401);
    let patched = app
        .send(
            app.client
                .patch(app.url(&format!("/api/v1/articles/{id}?preview={token}")))
                .json(&json!({"title": "Hijacked"})),
        )
        .await;
    patched.assert_problem(401);
    // And an access token is no preview token.
    app.get(&format!(
        "/api/v1/articles/{id}?preview={}",
        app.admin_token
    ))
    .await
    .assert_problem(403);
}

#[tokio::test]
async fn a_preview_link_lives_as_long_as_the_configured_ttl() {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = newsdesk::config::Config {
        preview_ttl_seconds: 60,
        ..test_config(&dir)
    };
    let app = spawn_app_with(config, dir).await;
    let (_, _, preview) = draft_with_preview(&app, "Embargoed story").await;
    let expires_at =
        chrono::DateTime::parse_from_rfc3339(preview["expires_at"].as_str().expect("expires_at"))
            .expect("a time");
    let left = expires_at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!(
        (55..=61).contains(&left.num_seconds()),
        "{left:?} left of 60 s"
    );
}

#[tokio::test]
async fn an_expired_preview_token_is_refused() {
    let app = spawn_app().await;
    let (id, _, _) = draft_with_preview(&app, "Embargoed story").await;
    let now = chrono::Utc::now().timestamp();
    let claims = |exp: i64| {
        json!({"sub": format!("article:{id}"), "aud": "newsdesk-preview", "generation": 0,
               "iat": now - 100, "exp": exp, "iss": "newsdesk"})
    };
    let fresh = signed(claims(now + 100), JWT_SECRET);
    let shown = app
        .get(&format!("/api/v1/articles/{id}?preview={fresh}"))
        .await;
    assert_eq!(shown.status, 200, "{}", shown.text);
    let expired = signed(claims(now - 1), JWT_SECRET);
    app.get(&format!("/api/v1/articles/{id}?preview={expired}"))
        .await
        .assert_problem(403);
    let forged = signed(
        claims(now + 100),
        "another secret that is long enough, 32 bytes",
    );
    app.get(&format!("/api/v1/articles/{id}?preview={forged}"))
        .await
        .assert_problem(403);
}

#[tokio::test]
async fn revoking_previews_closes_every_link_of_the_article_only() {
    let app = spawn_app().await;
    let (id, first, _) = draft_with_preview(&app, "Embargoed story").await;
    let second = app
        .post(&format!("/api/v1/articles/{id}/preview"), &json!(null))
        .await;
    let second = second.json["token"].as_str().expect("token").to_owned();
    let (other_id, other, _) = draft_with_preview(&app, "Other draft").await;

    let revoked = app.delete(&format!("/api/v1/articles/{id}/preview")).await;
    assert_eq!(revoked.status, 204, "{}", revoked.text);
    for token in [&first, &second] {
        app.get(&format!("/api/v1/articles/{id}?preview={token}"))
            .await
            .assert_problem(403);
    }
    let still = app
        .get(&format!("/api/v1/articles/{other_id}?preview={other}"))
        .await;
    assert_eq!(still.status, 200, "{}", still.text);
    // A new link works again.
    let fresh = app
        .post(&format!("/api/v1/articles/{id}/preview"), &json!(null))
        .await;
    let fresh = fresh.json["token"].as_str().expect("token").to_owned();
    let shown = app
        .get(&format!("/api/v1/articles/{id}?preview={fresh}"))
        .await;
    assert_eq!(shown.status, 200, "{}", shown.text);
}

#[tokio::test]
async fn only_staff_who_may_edit_an_article_make_or_revoke_its_previews() {
    let app = spawn_app().await;
    let (_, author) = app.staff("author").await;
    let article = app.article("Missile launch", &[], &[]).await;
    let path = format!("/api/v1/articles/{}/preview", article["id"]);
    app.json_as("", Method::POST, &path, &json!(null))
        .await
        .assert_problem(401);
    app.json_as(&author, Method::POST, &path, &json!(null))
        .await
        .assert_problem(403);
    app.delete_as(&author, &path).await.assert_problem(403);
}
