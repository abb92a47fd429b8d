//! The audit log: what is recorded, who may read it, its filters and
//! paging, that nothing alters it, and its CLI export.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::cli::{newsdesk, run_ok};
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Reply, TestApp, spawn_app};

impl TestApp {
    /// A request as `token` (none when empty) with our own `X-Request-Id`.
    async fn traced(
        &self,
        request_id: &str,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut request = self
            .client
            .request(method, self.url(path))
            .header("x-request-id", request_id);
        if !token.is_empty() {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    /// Every entry of the log, newest first (as the admin).
    async fn audit_entries(&self, query: &str) -> Vec<Value> {
        let reply = self
            .admin_get(&format!("/api/v1/audit?per_page=100{query}"))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.json["data"].as_array().expect("data").clone()
    }

    async fn admin_id(&self) -> i64 {
        self.admin_get("/api/v1/auth/me").await.json["id"]
            .as_i64()
            .expect("id")
    }
}

/// The one entry with this request id.
fn entry<'a>(entries: &'a [Value], request_id: &str, action: &str) -> &'a Value {
    let found: Vec<&Value> = entries
        .iter()
        .filter(|entry| entry["request_id"] == request_id && entry["action"] == action)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {action} entry for {request_id} in {entries:#?}"
    );
    found[0]
}

#[tokio::test]
async fn every_listed_action_is_recorded_with_its_request_id_user_and_target() {
    let app = spawn_app().await;
    let admin = app.admin_id().await;
    let token = app.admin_token.clone();

    let signed_in = app
        .traced(
            "rid-sign-in",
            "",
            Method::POST,
            "/api/v1/auth/token",
            Some(json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})),
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::OK);
    let failed = app
        .traced(
            "rid-sign-in-failed",
            "",
            Method::POST,
            "/api/v1/auth/token",
            Some(json!({"email": "  intruder@example.com ", "password": "guess"})),
        )
        .await;
    failed.assert_problem(401);

    let user = app
        .traced(
            "rid-user-created",
            &token,
            Method::POST,
            "/api/v1/users",
            Some(
                json!({"email": "new@newsroom.example", "display_name": "New Hire",
                "role": "author", "password": "long enough password"}),
            ),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.text);
    let user_id = user.json["id"].as_i64().unwrap();
    let user_path = format!("/api/v1/users/{user_id}");
    let promoted = app
        .traced(
            "rid-user-updated",
            &token,
            Method::PATCH,
            &user_path,
            Some(json!({"role": "editor"})),
        )
        .await;
    assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.text);
    let deactivated = app
        .traced(
            "rid-user-deactivated",
            &token,
            Method::DELETE,
            &user_path,
            None,
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::NO_CONTENT);

    let article = app
        .traced(
            "rid-article-published",
            &token,
            Method::POST,
            "/api/v1/articles",
            Some(json!({"title": "Audited story", "body": "Words.", "status": "published"})),
        )
        .await;
    assert_eq!(article.status, StatusCode::CREATED, "{}", article.text);
    let article_id = article.json["id"].as_i64().unwrap();
    let article_path = format!("/api/v1/articles/{article_id}");
    // A change that leaves it public is no publication.
    let retitled = app
        .traced(
            "rid-article-retitled",
            &token,
            Method::PATCH,
            &article_path,
            Some(json!({"title": "Audited story, retitled"})),
        )
        .await;
    assert_eq!(retitled.status, StatusCode::OK, "{}", retitled.text);
    let unpublished = app
        .traced(
            "rid-article-unpublished",
            &token,
            Method::PATCH,
            &article_path,
            Some(json!({"status": "draft"})),
        )
        .await;
    assert_eq!(unpublished.status, StatusCode::OK, "{}", unpublished.text);
    let deleted = app
        .traced(
            "rid-article-deleted",
            &token,
            Method::DELETE,
            &article_path,
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);

    let commented = app.article("Open for comments", &[], &[]).await;
    let comment = app
        .send(
            app.client
                .post(app.url(&format!("/api/v1/articles/{}/comments", commented["id"])))
                .json(
                    &json!({"author_name": "Reader", "author_email": "reader@example.com",
                    "body": "A thought."}),
                ),
        )
        .await;
    assert_eq!(comment.status, StatusCode::CREATED, "{}", comment.text);
    let comment_path = format!("/api/v1/comments/{}", comment.json["id"]);
    let moderated = app
        .traced(
            "rid-comment-moderated",
            &token,
            Method::PATCH,
            &comment_path,
            Some(json!({"status": "rejected"})),
        )
        .await;
    assert_eq!(moderated.status, StatusCode::OK, "{}", moderated.text);
    let comment_deleted = app
        .traced(
            "rid-comment-deleted",
            &token,
            Method::DELETE,
            &comment_path,
            None,
        )
        .await;
    assert_eq!(comment_deleted.status, StatusCode::NO_CONTENT);

    let webhook = app
        .traced(
            "rid-webhook-created",
            &token,
            Method::POST,
            "/api/v1/webhooks",
            Some(json!({"url": "https://hooks.example.com/newsdesk", "events": ["*"]})),
        )
        .await;
    assert_eq!(webhook.status, StatusCode::CREATED, "{}", webhook.text);
    let webhook_id = webhook.json["id"].as_i64().unwrap();
    let webhook_path = format!("/api/v1/webhooks/{webhook_id}");
    let paused = app
        .traced(
            "rid-webhook-updated",
            &token,
            Method::PATCH,
            &webhook_path,
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(paused.status, StatusCode::OK, "{}", paused.text);
    let webhook_deleted = app
        .traced(
            "rid-webhook-deleted",
            &token,
            Method::DELETE,
            &webhook_path,
            None,
        )
        .await;
    assert_eq!(webhook_deleted.status, StatusCode::NO_CONTENT);

    let entries = app.audit_entries("").await;
    let article_target = format!("article:{article_id}");
    let user_target = format!("user:{user_id}");
    let webhook_target = format!("webhook:{webhook_id}");
    let comment_target = format!("comment:{}", comment.json["id"]);
    let admin_target = format!("user:{admin}");
    let expected = [
        ("rid-sign-in", "auth.sign_in", admin_target.as_str()),
        ("rid-user-created", "user.created", &user_target),
        ("rid-user-updated", "user.updated", &user_target),
        ("rid-user-deactivated", "user.deactivated", &user_target),
        (
            "rid-article-published",
            "article.published",
            &article_target,
        ),
        (
            "rid-article-unpublished",
            "article.unpublished",
            &article_target,
        ),
        ("rid-article-deleted", "article.deleted", &article_target),
        (
            "rid-comment-moderated",
            "comment.moderated",
            &comment_target,
        ),
        ("rid-comment-deleted", "comment.deleted", &comment_target),
        ("rid-webhook-created", "webhook.created", &webhook_target),
        ("rid-webhook-updated", "webhook.updated", &webhook_target),
        ("rid-webhook-deleted", "webhook.deleted", &webhook_target),
    ];
    for (request_id, action, target) in expected {
        let found = entry(&entries, request_id, action);
        assert_eq!(found["target"], target, "{found}");
        assert_eq!(found["user"]["id"], admin, "{found}");
        assert_eq!(found["user"]["display_name"], "Administrator", "{found}");
        assert_eq!(found["client"], "127.0.0.1", "{found}");
        assert!(found["at"].as_str().is_some_and(|at| at.ends_with('Z')));
    }
    assert!(
        !entries
            .iter()
            .any(|entry| entry["request_id"] == "rid-article-retitled"),
        "an edit that keeps an article public records nothing: {entries:#?}"
    );

    let failed = entry(&entries, "rid-sign-in-failed", "auth.sign_in_failed");
    assert_eq!(failed["user"], Value::Null);
    assert_eq!(failed["target"], Value::Null);
    assert_eq!(failed["detail"]["email"], "intruder@example.com");
    let updated = entry(&entries, "rid-user-updated", "user.updated");
    assert_eq!(updated["detail"]["changed"], json!(["role"]));
    let moderated = entry(&entries, "rid-comment-moderated", "comment.moderated");
    assert_eq!(moderated["detail"]["status"], "rejected");
    assert_eq!(moderated["detail"]["previous_status"], "pending");
    let gone = entry(&entries, "rid-article-deleted", "article.deleted");
    assert_eq!(gone["detail"]["title"], "Audited story, retitled");
    let created_hook = entry(&entries, "rid-webhook-created", "webhook.created");
    assert!(!created_hook.to_string().contains("whsec_"), "no secret");

    // Newest first.
    let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted);
}

#[tokio::test]
async fn a_request_without_an_id_is_recorded_with_the_one_the_server_gave_it() {
    let app = spawn_app().await;
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/auth/token"))
                .json(&json!({"email": "who@example.com", "password": "x"})),
        )
        .await;
    let given = reply.header("x-request-id").unwrap().to_owned();
    let entries = app.audit_entries("&action=auth.sign_in_failed").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["request_id"], given);
}

#[tokio::test]
async fn only_admins_read_the_audit_log() {
    let app = spawn_app().await;
    app.get("/api/v1/audit").await.assert_problem(401);
    for role in ["editor", "author"] {
        let (_, token) = app.staff(role).await;
        app.get_as(&token, "/api/v1/audit")
            .await
            .assert_problem(403);
    }
    let reply = app.admin_get("/api/v1/audit").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("private, no-store"));
}

#[tokio::test]
async fn the_log_filters_by_user_action_and_time_and_pages_by_cursor() {
    let app = spawn_app().await;
    let admin = app.admin_id().await;
    for n in 0..5 {
        let body = json!({"email": format!("guess{n}@example.com"), "password": "x"});
        app.send(app.client.post(app.url("/api/v1/auth/token")).json(&body))
            .await
            .assert_problem(401);
    }

    let failures = app.audit_entries("&action=auth.sign_in_failed").await;
    assert_eq!(failures.len(), 5);
    assert!(
        failures
            .iter()
            .all(|e| e["action"] == "auth.sign_in_failed")
    );
    let mine = app.audit_entries(&format!("&user={admin}")).await;
    assert!(!mine.is_empty());
    assert!(mine.iter().all(|e| e["user"]["id"] == admin));
    assert!(app.audit_entries("&user=9999").await.is_empty());

    let first_at = failures.last().unwrap()["at"].as_str().unwrap().to_owned();
    let last_at = failures[0]["at"].as_str().unwrap().to_owned();
    let from = format!(
        "&action=auth.sign_in_failed&from={}",
        first_at.replace('+', "%2B")
    );
    assert_eq!(app.audit_entries(&from).await.len(), 5);
    let to = format!("&action=auth.sign_in_failed&to={last_at}");
    assert_eq!(app.audit_entries(&to).await.len(), 5);
    assert!(
        app.audit_entries("&from=2999-01-01T00:00:00Z")
            .await
            .is_empty()
    );
    assert!(
        app.audit_entries("&to=2000-01-01T00:00:00Z")
            .await
            .is_empty()
    );

    let unknown = app.admin_get("/api/v1/audit?action=article.edited").await;
    unknown.assert_problem(422);
    assert_eq!(unknown.error_fields(), ["action"]);
    let bad_time = app
        .admin_get("/api/v1/audit?from=yesterday&to=2024-13-01")
        .await;
    bad_time.assert_problem(422);
    assert_eq!(bad_time.error_fields(), ["from", "to"]);

    // Two at a time, following the cursor; an entry added meanwhile does
    // not shift the pages.
    let mut seen: Vec<Value> = Vec::new();
    let mut path = "/api/v1/audit?action=auth.sign_in_failed&per_page=2".to_owned();
    loop {
        let reply = app.admin_get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert_eq!(reply.json["meta"]["total"], 5 + i64::from(!seen.is_empty()));
        seen.extend(reply.json["data"].as_array().unwrap().iter().cloned());
        if seen.len() == 2 {
            let body = json!({"email": "late@example.com", "password": "x"});
            app.send(app.client.post(app.url("/api/v1/auth/token")).json(&body))
                .await
                .assert_problem(401);
        }
        let Some(cursor) = reply.json["meta"]["next_cursor"].as_str() else {
            break;
        };
        path = format!("/api/v1/audit?action=auth.sign_in_failed&per_page=2&cursor={cursor}");
    }
    assert_eq!(seen, failures);

    let cursor_elsewhere = app
        .admin_get(&format!(
            "/api/v1/audit?per_page=2&cursor={}",
            app.admin_get("/api/v1/audit?action=auth.sign_in_failed&per_page=2")
                .await
                .json["meta"]["next_cursor"]
                .as_str()
                .unwrap()
        ))
        .await;
    cursor_elsewhere.assert_problem(422);
    assert_eq!(cursor_elsewhere.error_fields(), ["cursor"]);
}

#[tokio::test]
async fn no_route_changes_or_deletes_an_entry() {
    let app = spawn_app().await;
    let before = app.audit_entries("").await;
    assert!(!before.is_empty());
    let id = before[0]["id"].as_i64().unwrap();
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let on_list = app
            .json(
                method.clone(),
                "/api/v1/audit",
                &json!({"action": "import"}),
            )
            .await;
        on_list.assert_problem(405);
        assert_eq!(on_list.header("allow"), Some("GET, HEAD"));
        let on_entry = app
            .json(method, &format!("/api/v1/audit/{id}"), &json!({}))
            .await;
        on_entry.assert_problem(404);
    }
    assert_eq!(app.audit_entries("").await, before);

    // Nor can anything with the database file: the table refuses.
    use diesel::prelude::*;
    let mut conn = app.connection();
    for statement in [
        "UPDATE audit_log SET action = 'import'",
        "DELETE FROM audit_log",
    ] {
        let refused = diesel::sql_query(statement).execute(&mut conn).unwrap_err();
        assert!(refused.to_string().contains("append-only"), "{refused}");
    }
    assert_eq!(app.audit_entries("").await, before);
}

#[tokio::test]
async fn a_write_that_fails_leaves_no_entry() {
    let app = spawn_app().await;
    let before = app.audit_entries("").await;

    // Refused by the store: a taken email (409), the last admin (409), a
    // stale If-Match (412).
    app.staff("author").await;
    let count = app.audit_entries("").await.len();
    let taken = app
        .post(
            "/api/v1/users",
            &json!({"email": ADMIN_EMAIL, "display_name": "Twin", "role": "admin",
                "password": "long enough password"}),
        )
        .await;
    taken.assert_problem(409);
    let admin = app.admin_id().await;
    app.delete(&format!("/api/v1/users/{admin}"))
        .await
        .assert_problem(409);
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "Draft", "body": "Words.", "status": "draft"}),
        )
        .await;
    let stale = app
        .json_if_match(
            Method::PATCH,
            &format!("/api/v1/articles/{}", article["id"]),
            "\"stale\"",
            Some(&json!({"status": "published"})),
        )
        .await;
    stale.assert_problem(412);
    assert_eq!(app.audit_entries("").await.len(), count);

    // Refused after the entry was written, in the same transaction: the
    // entry goes with the rest.
    use diesel::prelude::*;
    let mut conn = app.connection();
    let refusal: &[&str] = if crate::helpers::on_postgres() {
        &[
            "CREATE FUNCTION refuse_revision() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$",
            "CREATE TRIGGER refuse_revisions BEFORE INSERT ON article_revisions \
             FOR EACH ROW EXECUTE FUNCTION refuse_revision()",
        ]
    } else {
        &[
            "CREATE TRIGGER refuse_revisions BEFORE INSERT ON article_revisions \
           BEGIN SELECT RAISE(ABORT, 'refused by the test'); END",
        ]
    };
    for statement in refusal {
        diesel::sql_query(*statement).execute(&mut conn).unwrap();
    }
    let refused = app
        .post(
            "/api/v1/articles",
            &json!({"title": "Never", "body": "Words.", "status": "published"}),
        )
        .await;
    assert!(!refused.status.is_success(), "{}", refused.text);
    assert!(
        !app.audit_entries("")
            .await
            .iter()
            .any(|entry| entry["action"] == "article.published"),
        "a rolled-back publication left its entry"
    );
    assert_eq!(app.audit_entries("").await.len(), count);
    assert!(before.len() < count);
}

#[tokio::test]
async fn audit_export_writes_the_log_as_ndjson_oldest_first() {
    let app = spawn_app().await;
    let body = json!({"email": "cli-guess@example.com", "password": "x"});
    app.send(app.client.post(app.url("/api/v1/auth/token")).json(&body))
        .await
        .assert_problem(401);

    let stdout = run_ok(newsdesk(&app.db_path).args(["audit", "export"]));
    let lines: Vec<Value> = String::from_utf8(stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let mut from_api = app.audit_entries("").await;
    from_api.reverse();
    assert_eq!(lines, from_api, "the API's entries, oldest first");
    assert_eq!(lines[0]["action"], "auth.sign_in");
    assert_eq!(
        lines.last().unwrap()["detail"]["email"],
        "cli-guess@example.com"
    );

    let file = app
        .dir()
        .join("audit.ndjson")
        .to_string_lossy()
        .into_owned();
    run_ok(newsdesk(&app.db_path).args(["audit", "export", "--output", &file]));
    let written: Vec<Value> = std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(written, lines);

    let later =
        run_ok(newsdesk(&app.db_path).args(["audit", "export", "--from", "2999-01-01T00:00:00Z"]));
    assert!(later.is_empty());
    let bad = newsdesk(&app.db_path)
        .args(["audit", "export", "--to", "soon"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--to"));
}

#[test]
fn an_import_is_recorded_without_a_user_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let database = crate::helpers::database_in(&dir, "newsdesk.db");
    let file = dir.path().join("empty.ndjson");
    std::fs::write(&file, "{\"newsdesk_export\":1}\n").unwrap();
    run_ok(newsdesk(&database).args(["import", file.to_str().unwrap()]));
    // A failed import records nothing.
    std::fs::write(&file, "{\"newsdesk_export\":1}\n{\"type\":\"nonsense\"}\n").unwrap();
    let failed = newsdesk(&database)
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!failed.status.success());

    let stdout = run_ok(newsdesk(&database).args(["audit", "export"]));
    let lines: Vec<Value> = String::from_utf8(stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["action"], "import");
    assert_eq!(lines[0]["user"], Value::Null);
    assert_eq!(lines[0]["client"], "cli");
    assert_eq!(lines[0]["request_id"], Value::Null);
    assert_eq!(lines[0]["detail"]["records"], 0);
}

#[test]
fn account_changes_from_the_cli_are_recorded() {
    use std::io::Write;
    use std::process::Stdio;

    let dir = tempfile::tempdir().unwrap();
    let database = crate::helpers::database_in(&dir, "newsdesk.db");
    for args in [
        vec![
            "user",
            "create",
            "--email",
            "ed@example.org",
            "--role",
            "editor",
        ],
        vec!["user", "set-password", "--email", "ed@example.org"],
    ] {
        let mut child = newsdesk(&database)
            .args(&args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"a long enough password\n")
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
    }
    let stdout = run_ok(newsdesk(&database).args(["audit", "export"]));
    let lines: Vec<Value> = String::from_utf8(stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let actions: Vec<&str> = lines
        .iter()
        .map(|line| line["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["user.created", "user.updated"], "{lines:?}");
    assert!(lines.iter().all(|line| line["client"] == "cli"));
    assert_eq!(lines[0]["detail"]["role"], "editor");
    assert_eq!(lines[1]["detail"]["changed"], json!(["password"]));
}
