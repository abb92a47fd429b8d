//! Sign-in, tokens and the 401 cases.

use jsonwebtoken::Algorithm;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET, base64_url, signed, spawn_app, spawn_app_with,
    test_config,
};

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

#[tokio::test]
async fn a_token_is_a_bearer_jwt_with_the_contract_claims() {
    let app = spawn_app().await;
    let reply = app
        .json_as(
            "",
            Method::POST,
            "/api/v1/auth/token",
            &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["token_type"], "Bearer");
    assert_eq!(reply.json["expires_in"], 3600);
    let token = reply.json["access_token"].as_str().unwrap();
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.alg, Algorithm::HS256);
    let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
    validation.set_issuer(&["newsdesk"]);
    let claims = jsonwebtoken::decode::<serde_json::Value>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(JWT_SECRET.as_bytes()),
        &validation,
    )
    .unwrap()
    .claims;
    assert_eq!(claims["sub"], "2");
    assert_eq!(claims["role"], "admin");
    assert_eq!(claims["iss"], "newsdesk");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        3600
    );
}

#[tokio::test]
async fn me_is_the_signed_in_user_without_secrets() {
    let app = spawn_app().await;
    let me = app.admin_get("/api/v1/auth/me").await;
    assert_eq!(me.status, 200);
    assert_eq!(me.json["email"], ADMIN_EMAIL);
    assert_eq!(me.json["role"], "admin");
    assert!(
        !me.text.contains("argon2") && !me.text.contains("password"),
        "{}",
        me.text
    );
}

#[tokio::test]
async fn a_wrong_email_and_a_wrong_password_get_the_same_401() {
    let app = spawn_app().await;
    let wrong_password = app
        .json_as(
            "",
            Method::POST,
            "/api/v1/auth/token",
            &json!({"email": ADMIN_EMAIL, "password": "not the password"}),
        )
        .await;
    let wrong_email = app
        .json_as(
            "",
            Method::POST,
            "/api/v1/auth/token",
            &json!({"email": "nobody@newsroom.example", "password": ADMIN_PASSWORD}),
        )
        .await;
    wrong_password.assert_problem(401);
    wrong_email.assert_problem(401);
    assert_eq!(wrong_password.json, wrong_email.json);
    assert!(
        wrong_password
            .header("www-authenticate")
            .unwrap()
            .starts_with("Bearer")
    );
    let other_case = app
        .json_as(
            "",
            Method::POST,
            "/api/v1/auth/token",
            &json!({"email": ADMIN_EMAIL.to_uppercase(), "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(other_case.status, 200, "emails ignore case");
}

#[tokio::test]
async fn bad_tokens_are_a_401_with_www_authenticate() {
    let app = spawn_app().await;
    let valid = |claims: serde_json::Value| signed(claims, JWT_SECRET);
    let good_claims =
        json!({"sub": "2", "role": "admin", "iat": now(), "exp": now() + 600, "iss": "newsdesk"});
    assert_eq!(
        app.get_as(&valid(good_claims.clone()), "/api/v1/auth/me")
            .await
            .status,
        200,
        "the crafted token itself is fine"
    );

    let tampered = {
        let token = valid(good_claims.clone());
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let forged = json!({"sub": "3", "role": "admin", "iat": now(), "exp": now() + 600, "iss": "newsdesk"});
        parts[1] = base64_url(&forged.to_string());
        parts.join(".")
    };
    let none_alg = format!(
        "{}.{}.",
        base64_url(r#"{"alg":"none","typ":"JWT"}"#),
        base64_url(&good_claims.to_string())
    );
    let cases = [
        ("malformed", "not-a-jwt".to_owned()),
        ("alg none", none_alg),
        ("tampered", tampered),
        (
            "other secret",
            signed(
                good_claims.clone(),
                "another secret that is 32 bytes or more",
            ),
        ),
        (
            "expired",
            valid(
                json!({"sub": "2", "role": "admin", "iat": now() - 7200, "exp": now() - 3600, "iss": "newsdesk"}),
            ),
        ),
        (
            "wrong issuer",
            valid(
                json!({"sub": "2", "role": "admin", "iat": now(), "exp": now() + 600, "iss": "wordpress"}),
            ),
        ),
        (
            "no exp",
            valid(json!({"sub": "2", "role": "admin", "iat": now(), "iss": "newsdesk"})),
        ),
        (
            "no iss",
            valid(json!({"sub": "2", "role": "admin", "iat": now(), "exp": now() + 600})),
        ),
        (
            "deleted user",
            valid(
                json!({"sub": "999", "role": "admin", "iat": now(), "exp": now() + 600, "iss": "newsdesk"}),
            ),
        ),
    ];
    for (name, token) in cases {
        for reply in [
            app.get_as(&token, "/api/v1/auth/me").await,
            app.get_as(&token, "/api/v1/articles").await,
            app.json_as(
                &token,
                Method::POST,
                "/api/v1/topics",
                &json!({"name": "World"}),
            )
            .await,
        ] {
            assert_eq!(reply.status, 401, "{name}: {}", reply.text);
            assert!(
                reply
                    .header("www-authenticate")
                    .is_some_and(|h| h.starts_with("Bearer")),
                "{name}"
            );
        }
    }
    let no_scheme = app
        .send(
            app.client
                .get(app.url("/api/v1/auth/me"))
                .header("authorization", "Basic YWRtaW46YWRtaW4="),
        )
        .await;
    no_scheme.assert_problem(401);
    let missing = app.get("/api/v1/auth/me").await;
    missing.assert_problem(401);
    assert_eq!(app.admin_get("/api/v1/topics").await.status, 200);
    assert_eq!(
        app.get("/api/v1/topics").await.json["meta"]["total"],
        0,
        "nothing was created"
    );
}

#[tokio::test]
async fn a_deactivated_users_token_stops_working() {
    let app = spawn_app().await;
    let (id, token) = app.staff("editor").await;
    assert_eq!(app.get_as(&token, "/api/v1/auth/me").await.status, 200);
    assert_eq!(app.delete(&format!("/api/v1/users/{id}")).await.status, 204);
    app.get_as(&token, "/api/v1/auth/me")
        .await
        .assert_problem(401);
    let email = app.admin_get(&format!("/api/v1/users/{id}")).await.json["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let sign_in = app
        .json_as(
            "",
            Method::POST,
            "/api/v1/auth/token",
            &json!({"email": email, "password": "long enough password"}),
        )
        .await;
    sign_in.assert_problem(401);
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited_per_client() {
    let app = spawn_app().await;
    // The helper already signed in once.
    for _ in 0..9 {
        let reply = app
            .json_as(
                "",
                Method::POST,
                "/api/v1/auth/token",
                &json!({"email": ADMIN_EMAIL, "password": "wrong"}),
            )
            .await;
        assert_eq!(reply.status, 401);
    }
    let limited = app
        .json_as(
            "",
            Method::POST,
            "/api/v1/auth/token",
            &json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await;
    limited.assert_problem(429);
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_eq!(
        app.admin_get("/api/v1/auth/me").await.status,
        200,
        "other requests are not limited"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir);
    config.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    config.auth_rate_per_minute = 2;
    let app = spawn_app_with(config, dir).await;
    let attempt = |client: &'static str| {
        let request = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .header("x-forwarded-for", client)
            .json(&json!({"email": ADMIN_EMAIL, "password": "wrong"}));
        app.send(request)
    };
    assert_eq!(attempt("203.0.113.7").await.status, 401);
    assert_eq!(attempt("203.0.113.7").await.status, 401);
    assert_eq!(attempt("203.0.113.7").await.status, 429);
    assert_eq!(
        attempt("198.51.100.1, 203.0.113.9").await.status,
        401,
        "the rightmost untrusted address counts"
    );
}

#[test]
fn a_short_jwt_secret_is_refused_at_start() {
    // Config::from_env reads the process environment; run it in a child so
    // that parallel tests do not see the variable.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .arg("serve")
        .env("NEWSDESK_JWT_SECRET", "too short")
        .env("DATABASE_URL", "/nonexistent/never-created.db")
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 32 bytes"));
}
