//! Staff accounts, as an admin manages them.

use reqwest::Method;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_admin_creates_lists_and_changes_accounts() {
    let app = spawn_app().await;
    let reply = app
        .post("/api/v1/users", &json!({"email": "Ada@Newsroom.example", "display_name": "Ada", "role": "editor", "password": "long enough password"}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let id = reply.json["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/users/{id}").as_str())
    );
    assert_eq!(reply.json["role"], "editor");
    assert_eq!(reply.json["active"], true);
    assert!(reply.json.get("password").is_none() && reply.json.get("password_hash").is_none());
    let list = app.admin_get("/api/v1/users").await;
    assert_eq!(list.status, 200);
    assert!(!list.text.contains("argon2"));
    assert_eq!(
        list.header("x-total-count"),
        Some("3"),
        "newsroom, admin and Ada"
    );
    let changed = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &json!({"role": "author", "display_name": "Ada L."}),
        )
        .await;
    assert_eq!(changed.json["role"], "author");
    assert_eq!(changed.json["display_name"], "Ada L.");
    let new_password = app
        .patch(
            &format!("/api/v1/users/{id}"),
            &json!({"password": "another long password"}),
        )
        .await;
    assert_eq!(new_password.status, 200);
    app.sign_in("ada@newsroom.example", "another long password")
        .await;
}

#[tokio::test]
async fn emails_are_unique_whatever_their_case() {
    let app = spawn_app().await;
    let body = json!({"email": "ADMIN@newsroom.example", "display_name": "Copy", "role": "author", "password": "long enough password"});
    let reply = app.post("/api/v1/users", &body).await;
    reply.assert_problem(409);
    assert_eq!(reply.error_fields(), ["email"]);
}

#[tokio::test]
async fn bad_account_fields_are_a_422() {
    let app = spawn_app().await;
    let reply = app
        .post("/api/v1/users", &json!({"email": "not-an-email", "display_name": "", "role": "author", "password": "short"}))
        .await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["display_name", "email", "password"]);
    let role = app.post("/api/v1/users", &json!({"email": "a@b.example", "display_name": "A", "role": "owner", "password": "long enough password"})).await;
    role.assert_problem(422);
    assert_eq!(role.error_fields(), ["role"]);
}

#[tokio::test]
async fn the_last_active_admin_can_be_neither_demoted_nor_deactivated() {
    let app = spawn_app().await;
    app.patch("/api/v1/users/2", &json!({"role": "editor"}))
        .await
        .assert_problem(409);
    app.patch("/api/v1/users/2", &json!({"active": false}))
        .await
        .assert_problem(409);
    app.delete("/api/v1/users/2").await.assert_problem(409);
    assert_eq!(app.admin_get("/api/v1/auth/me").await.json["role"], "admin");
    let second = app
        .create("/api/v1/users", json!({"email": "second@newsroom.example", "display_name": "Second", "role": "admin", "password": "long enough password"}))
        .await;
    assert_eq!(
        app.delete("/api/v1/users/2").await.status,
        204,
        "with another admin it may go"
    );
    let token = app
        .sign_in("second@newsroom.example", "long enough password")
        .await;
    let last = app
        .json_as(
            &token,
            Method::DELETE,
            &format!("/api/v1/users/{}", second["id"]),
            &json!({}),
        )
        .await;
    last.assert_problem(409);
}

#[tokio::test]
async fn an_unknown_user_is_a_404() {
    let app = spawn_app().await;
    app.admin_get("/api/v1/users/999").await.assert_problem(404);
    app.patch("/api/v1/users/999", &json!({"display_name": "X"}))
        .await
        .assert_problem(404);
    app.admin_get("/api/v1/users/not-a-number")
        .await
        .assert_problem(400);
}

#[tokio::test]
async fn user_changes_and_deactivation_honour_if_match() {
    let app = spawn_app().await;
    let (id, _) = app.staff("editor").await;
    let path = format!("/api/v1/users/{id}");
    let read = app.etag_as(&app.admin_token, &path).await;
    let renamed = app
        .json_if_match(
            Method::PATCH,
            &path,
            &read,
            Some(&json!({"display_name": "Renamed"})),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let current = renamed.header("etag").expect("etag").to_owned();
    assert_ne!(current, read);
    assert_eq!(app.etag_as(&app.admin_token, &path).await, current);
    let stale = app
        .json_if_match(
            Method::PATCH,
            &path,
            &read,
            Some(&json!({"display_name": "Lost"})),
        )
        .await;
    stale.assert_problem(412);
    app.json_if_match(Method::DELETE, &path, &read, None)
        .await
        .assert_problem(412);
    let user = app.admin_get(&path).await.json;
    assert_eq!(
        (user["display_name"].as_str(), user["active"].as_bool()),
        (Some("Renamed"), Some(true))
    );
    let gone = app
        .json_if_match(Method::DELETE, &path, &current, None)
        .await;
    assert_eq!(gone.status, 204, "{}", gone.text);
}
