//! The life of a comment: post, hold, approve, reply, spam, delete.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with, test_config};

async fn with_article(app: &TestApp) -> String {
    app.create(
        "/api/v1/articles",
        json!({"title": "North Korea warns G7", "status": "published"}),
    )
    .await;
    "/api/v1/articles/north-korea-warns-g7/comments".to_owned()
}

fn reader(body: &str) -> Value {
    json!({"author_name": "Min-jun", "author_email": "minjun@example.org", "author_url": "https://example.org/~minjun", "body": body})
}

async fn post_as_reader(app: &TestApp, thread: &str, body: Value) -> crate::helpers::Reply {
    app.json_as("", Method::POST, thread, &body).await
}

async fn approve(app: &TestApp, id: &Value) {
    let reply = app
        .patch(
            &format!("/api/v1/comments/{id}"),
            &json!({"status": "approved"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

async fn comment_count(app: &TestApp) -> i64 {
    app.get("/api/v1/articles/north-korea-warns-g7").await.json["comment_count"]
        .as_i64()
        .unwrap()
}

async fn thread_ids(app: &TestApp, thread: &str) -> Vec<i64> {
    let reply = app.get(thread).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn a_reader_comment_is_held_then_approved_then_shown() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    let reply = post_as_reader(&app, &thread, reader("  Sanctions have not worked.  ")).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let comment = &reply.json;
    assert_eq!(
        comment["status"], "pending",
        "the frontend can say: awaiting moderation"
    );
    assert_eq!(comment["body"], "Sanctions have not worked.");
    assert_eq!(comment["author_name"], "Min-jun");
    assert_eq!(comment["parent_id"], json!(null));
    assert!(comment.get("author_email").is_none());
    let location = reply.header("location").unwrap().to_owned();
    assert_eq!(location, format!("/api/v1/comments/{}", comment["id"]));

    assert_eq!(thread_ids(&app, &thread).await, Vec::<i64>::new());
    app.get(&location).await.assert_problem(404);
    assert_eq!(comment_count(&app).await, 0);

    let queue = app.admin_get("/api/v1/comments?status=pending").await;
    assert_eq!(queue.json["data"][0]["author_email"], "minjun@example.org");
    approve(&app, &comment["id"]).await;
    assert_eq!(
        thread_ids(&app, &thread).await,
        [comment["id"].as_i64().unwrap()]
    );
    assert_eq!(comment_count(&app).await, 1);
    assert_eq!(app.get(&location).await.json["status"], "approved");
}

#[tokio::test]
async fn author_email_never_reaches_the_public() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    let posted = post_as_reader(&app, &thread, reader("Hello")).await;
    assert!(!posted.text.contains("minjun@example.org"));
    approve(&app, &posted.json["id"]).await;
    let id = posted.json["id"].as_i64().unwrap();
    for reply in [
        app.get(&thread).await,
        app.get(&format!("/api/v1/comments/{id}")).await,
        app.get("/api/v1/articles/north-korea-warns-g7").await,
        app.get("/api/v1/articles").await,
        app.get("/api/v1/comments").await,
    ] {
        assert!(!reply.text.contains("minjun@example.org"), "{}", reply.text);
    }
    let (_, author) = app.staff("author").await;
    for reply in [
        app.get_as(&author, &thread).await,
        app.get_as(&author, &format!("/api/v1/comments/{id}")).await,
    ] {
        assert!(
            !reply.text.contains("minjun@example.org"),
            "an author is not a moderator: {}",
            reply.text
        );
    }
    app.get_as(&author, "/api/v1/comments")
        .await
        .assert_problem(403);
    assert!(
        app.admin_get(&format!("/api/v1/comments/{id}"))
            .await
            .text
            .contains("minjun@example.org")
    );
}

#[tokio::test]
async fn staff_comment_as_themselves_and_are_approved() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    let (author_id, author) = app.staff("author").await;
    let reply = app
        .json_as(
            &author,
            Method::POST,
            &thread,
            &json!({"body": "Correction: it was Sunday."}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json["status"], "approved");
    assert_eq!(reply.json["author_name"], "An author");
    let staff_view = app
        .admin_get(&format!("/api/v1/comments/{}", reply.json["id"]))
        .await;
    assert_eq!(staff_view.json["user_id"], author_id);
    assert_eq!(comment_count(&app).await, 1);
}

#[tokio::test]
async fn replies_form_a_tree_of_at_most_five_levels_within_one_article() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Other story", "status": "published"}),
    )
    .await;
    let mut parent = Value::Null;
    let mut ids = Vec::new();
    for level in 1..=5 {
        let reply = post_as_reader(&app, &thread, json!({"author_name": "R", "author_email": "r@example.org", "body": format!("level {level}"), "parent_id": parent})).await;
        assert_eq!(reply.status, 201, "level {level}: {}", reply.text);
        assert_eq!(reply.json["parent_id"], parent);
        approve(&app, &reply.json["id"]).await;
        parent = reply.json["id"].clone();
        ids.push(parent.as_i64().unwrap());
    }
    let too_deep = post_as_reader(&app, &thread, json!({"author_name": "R", "author_email": "r@example.org", "body": "level 6", "parent_id": parent})).await;
    too_deep.assert_problem(422);
    assert_eq!(too_deep.error_fields(), ["parent_id"]);
    let elsewhere = post_as_reader(&app, "/api/v1/articles/other-story/comments", json!({"author_name": "R", "author_email": "r@example.org", "body": "x", "parent_id": ids[0]})).await;
    elsewhere.assert_problem(422);
    assert_eq!(elsewhere.error_fields(), ["parent_id"]);
    let unknown = post_as_reader(&app, &thread, json!({"author_name": "R", "author_email": "r@example.org", "body": "x", "parent_id": 9999})).await;
    unknown.assert_problem(422);
    assert_eq!(thread_ids(&app, &thread).await, ids, "oldest first");
    assert_eq!(comment_count(&app).await, 5);
}

#[tokio::test]
async fn a_reply_is_hidden_while_its_parent_is_not_approved() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    let top = post_as_reader(&app, &thread, reader("top")).await.json;
    approve(&app, &top["id"]).await;
    let reply = post_as_reader(&app, &thread, json!({"author_name": "R", "author_email": "r@example.org", "body": "reply", "parent_id": top["id"]})).await.json;
    approve(&app, &reply["id"]).await;
    assert_eq!(thread_ids(&app, &thread).await.len(), 2);
    app.patch(
        &format!("/api/v1/comments/{}", top["id"]),
        &json!({"status": "rejected"}),
    )
    .await;
    assert_eq!(
        thread_ids(&app, &thread).await,
        Vec::<i64>::new(),
        "the reply hangs under a rejected comment"
    );
    assert_eq!(app.get(&thread).await.header("x-total-count"), Some("0"));
    assert_eq!(
        comment_count(&app).await,
        0,
        "comment_count counts what the thread shows"
    );
    let pending_parent = post_as_reader(&app, &thread, reader("new top")).await.json;
    let answer = post_as_reader(&app, &thread, json!({"author_name": "R", "author_email": "r@example.org", "body": "x", "parent_id": pending_parent["id"]})).await;
    answer.assert_problem(422);
}

#[tokio::test]
async fn spam_marks_the_email_and_links_hold_a_comment_even_with_auto_approve() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir);
    config.comments_auto_approve = true;
    let app = spawn_app_with(config, dir).await;
    let thread = with_article(&app).await;
    let first = post_as_reader(&app, &thread, reader("A fair point."))
        .await
        .json;
    assert_eq!(first["status"], "approved", "auto-approved");
    let links = post_as_reader(&app, &thread, json!({"author_name": "S", "author_email": "s@example.org", "body": "http://a.example https://b.example www.c.example"})).await.json;
    assert_eq!(links["status"], "pending", "more than two links is held");
    let spam = app
        .patch(
            &format!("/api/v1/comments/{}", first["id"]),
            &json!({"status": "spam"}),
        )
        .await;
    assert_eq!(spam.json["status"], "spam");
    assert_eq!(comment_count(&app).await, 0);
    let again = post_as_reader(
        &app,
        &thread,
        json!({"author_name": "Min", "author_email": "MINJUN@example.org", "body": "Buy now"}),
    )
    .await
    .json;
    assert_eq!(
        again["status"], "pending",
        "an email marked spam before is held"
    );
}

#[tokio::test]
async fn deleting_a_comment_takes_its_replies_and_keeps_the_count_right() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    let top = post_as_reader(&app, &thread, reader("top")).await.json;
    approve(&app, &top["id"]).await;
    let child = post_as_reader(&app, &thread, json!({"author_name": "R", "author_email": "r@example.org", "body": "child", "parent_id": top["id"]})).await.json;
    approve(&app, &child["id"]).await;
    let grandchild = post_as_reader(&app, &thread, json!({"author_name": "R", "author_email": "r@example.org", "body": "grandchild", "parent_id": child["id"]})).await.json;
    approve(&app, &grandchild["id"]).await;
    let other = post_as_reader(&app, &thread, reader("other")).await.json;
    approve(&app, &other["id"]).await;
    assert_eq!(comment_count(&app).await, 4);
    assert_eq!(
        app.delete(&format!("/api/v1/comments/{}", top["id"]))
            .await
            .status,
        204
    );
    assert_eq!(
        comment_count(&app).await,
        1,
        "the cascade of replies is counted too"
    );
    assert_eq!(
        thread_ids(&app, &thread).await,
        [other["id"].as_i64().unwrap()]
    );
    app.admin_get(&format!("/api/v1/comments/{}", grandchild["id"]))
        .await
        .assert_problem(404);
    app.delete(&format!("/api/v1/comments/{}", top["id"]))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn deleting_an_article_deletes_its_comments() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    let comment = post_as_reader(&app, &thread, reader("hi")).await.json;
    assert_eq!(
        app.delete("/api/v1/articles/north-korea-warns-g7")
            .await
            .status,
        204
    );
    app.admin_get(&format!("/api/v1/comments/{}", comment["id"]))
        .await
        .assert_problem(404);
    assert_eq!(
        app.admin_get("/api/v1/comments").await.json["meta"]["total"],
        0
    );
    app.get(&thread).await.assert_problem(404);
}

#[tokio::test]
async fn closed_and_unpublished_articles_take_no_comments() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Closed", "status": "published", "comments_open": false}),
    )
    .await;
    app.create("/api/v1/articles", json!({"title": "Draft"}))
        .await;
    post_as_reader(&app, "/api/v1/articles/closed/comments", reader("x"))
        .await
        .assert_problem(403);
    post_as_reader(&app, "/api/v1/articles/draft/comments", reader("x"))
        .await
        .assert_problem(404);
    app.get("/api/v1/articles/draft/comments")
        .await
        .assert_problem(404);
    post_as_reader(&app, "/api/v1/articles/nowhere/comments", reader("x"))
        .await
        .assert_problem(404);
    let staff_on_draft = app
        .post("/api/v1/articles/draft/comments", &json!({"body": "x"}))
        .await;
    staff_on_draft.assert_problem(403);
    assert_eq!(
        app.admin_get("/api/v1/comments").await.json["meta"]["total"],
        0
    );
}

#[tokio::test]
async fn the_form_is_validated_field_by_field() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    let reply = post_as_reader(&app, &thread, json!({"author_name": "", "author_email": "not-an-email", "author_url": "javascript:alert(1)", "body": "   "})).await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(
        fields,
        ["author_email", "author_name", "author_url", "body"]
    );
    let missing = post_as_reader(&app, &thread, json!({"body": "hi"})).await;
    missing.assert_problem(422);
    let mut fields = missing.error_fields();
    fields.sort();
    assert_eq!(fields, ["author_email", "author_name"]);
    let long = post_as_reader(
        &app,
        &thread,
        json!({"author_name": "R", "author_email": "r@example.org", "body": "x".repeat(5001)}),
    )
    .await;
    long.assert_problem(422);
    assert_eq!(long.error_fields(), ["body"]);
}

#[tokio::test]
async fn hostile_text_is_stored_and_returned_as_plain_text() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir);
    config.comments_auto_approve = true;
    let app = spawn_app_with(config, dir).await;
    let thread = with_article(&app).await;
    for body in [
        "<script>alert('x')</script>",
        "'; DROP TABLE comments; --",
        "\u{202e}txt.exe \u{200b} 🇰🇵 ｆｕｌｌ　ｗｉｄｔｈ",
    ] {
        let posted = post_as_reader(
            &app,
            &thread,
            json!({"author_name": "<b>R</b>", "author_email": "r@example.org", "body": body}),
        )
        .await;
        assert_eq!(posted.status, 201, "{}", posted.text);
        assert_eq!(posted.json["body"], body);
        assert_eq!(posted.json["author_name"], "<b>R</b>");
    }
    let listed = app.get(&thread).await;
    assert_eq!(listed.header("content-type"), Some("application/json"));
    let bodies: Vec<&str> = listed.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies[0], "<script>alert('x')</script>");
    assert_eq!(bodies.len(), 3);
}

#[tokio::test]
async fn readers_may_post_five_comments_a_minute() {
    let dir = tempfile::tempdir().unwrap();
    let config = newsdesk::config::Config {
        comment_rate_per_minute: 5,
        ..test_config(&dir)
    };
    assert_eq!(
        config.comment_rate_per_minute,
        newsdesk::config::Config::default().comment_rate_per_minute
    );
    let app = spawn_app_with(config, dir).await;
    let thread = with_article(&app).await;
    for n in 0..5 {
        assert_eq!(
            post_as_reader(&app, &thread, reader(&format!("comment {n}")))
                .await
                .status,
            201
        );
    }
    let limited = post_as_reader(&app, &thread, reader("one too many")).await;
    limited.assert_problem(429);
    assert!(
        limited
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_eq!(
        app.admin_get("/api/v1/comments").await.json["meta"]["total"],
        5
    );
    assert_eq!(
        app.post(&thread, &json!({"body": "staff are not limited"}))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn moderation_filters_by_status_and_article_newest_first() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Other", "status": "published"}),
    )
    .await;
    let a = post_as_reader(&app, &thread, reader("a")).await.json;
    let b = post_as_reader(&app, &thread, reader("b")).await.json;
    let c = post_as_reader(&app, "/api/v1/articles/other/comments", reader("c"))
        .await
        .json;
    approve(&app, &a["id"]).await;
    let ids = |reply: crate::helpers::Reply| -> Vec<i64> {
        reply.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(
        ids(app.admin_get("/api/v1/comments").await),
        [
            c["id"].as_i64().unwrap(),
            b["id"].as_i64().unwrap(),
            a["id"].as_i64().unwrap()
        ]
    );
    assert_eq!(
        ids(app.admin_get("/api/v1/comments?status=pending").await),
        [c["id"].as_i64().unwrap(), b["id"].as_i64().unwrap()]
    );
    assert_eq!(
        ids(app
            .admin_get("/api/v1/comments?article=north-korea-warns-g7&status=pending")
            .await),
        [b["id"].as_i64().unwrap()]
    );
    app.admin_get("/api/v1/comments?article=nowhere")
        .await
        .assert_problem(404);
    app.admin_get("/api/v1/comments?status=deleted")
        .await
        .assert_problem(400);
    let edited = app
        .patch(
            &format!("/api/v1/comments/{}", b["id"]),
            &json!({"body": "[edited by the desk]"}),
        )
        .await;
    assert_eq!(edited.json["body"], "[edited by the desk]");
    app.patch(
        &format!("/api/v1/comments/{}", b["id"]),
        &json!({"body": ""}),
    )
    .await
    .assert_problem(422);
    app.patch("/api/v1/comments/9999", &json!({"status": "approved"}))
        .await
        .assert_problem(404);
}

/// The cached article pages and lists move with what comments change in
/// them (the approved count), and are not thrown away for a comment that
/// waits for moderation.
#[tokio::test]
async fn held_comments_keep_cached_pages_and_approval_updates_them() {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Generation {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    let mut conn = app.connection();
    let mut generation = || {
        diesel::sql_query("SELECT CAST(coalesce(sum(n), 0) AS BIGINT) AS n FROM generations")
            .get_result::<Generation>(&mut conn)
            .unwrap()
            .n
    };
    let list_count = || async {
        app.get("/api/v1/articles").await.json["data"][0]["comment_count"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(list_count().await, 0);
    assert_eq!(comment_count(&app).await, 0);
    let before = generation();

    let held = post_as_reader(&app, &thread, reader("Held for moderation")).await;
    assert_eq!(held.json["status"], "pending");
    assert_eq!(
        generation(),
        before,
        "a held comment changes no cached page"
    );

    approve(&app, &held.json["id"]).await;
    assert!(generation() > before);
    assert_eq!(list_count().await, 1);
    assert_eq!(comment_count(&app).await, 1);
}

#[tokio::test]
async fn the_etag_of_either_comment_shape_holds_in_if_match() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    let comment = post_as_reader(&app, &thread, reader("First!")).await.json;
    approve(&app, &comment["id"]).await;
    let path = format!("/api/v1/comments/{}", comment["id"]);
    let public = app.etag_as("", &path).await;
    let staff = app.etag_as(&app.admin_token, &path).await;
    assert_ne!(public, staff, "the shapes differ, so do their tags");
    let edited = app
        .json_if_match(
            Method::PATCH,
            &path,
            &public,
            Some(&json!({"body": "First, edited"})),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(
        edited.header("etag"),
        Some(app.etag_as(&app.admin_token, &path).await.as_str())
    );
    app.json_if_match(Method::PATCH, &path, &staff, Some(&json!({"body": "Lost"})))
        .await
        .assert_problem(412);
    let staff = app.etag_as(&app.admin_token, &path).await;
    let again = app
        .json_if_match(
            Method::PATCH,
            &path,
            &staff,
            Some(&json!({"body": "Second edit"})),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.text);
    app.json_if_match(Method::DELETE, &path, &public, None)
        .await
        .assert_problem(412);
    let current = app.etag_as("", &path).await;
    let deleted = app
        .json_if_match(Method::DELETE, &path, &current, None)
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
}

#[tokio::test]
async fn rejecting_a_comment_hides_its_approved_replies_everywhere() {
    let app = spawn_app().await;
    let thread = with_article(&app).await;
    let parent = post_as_reader(&app, &thread, reader("Parent")).await.json;
    approve(&app, &parent["id"]).await;
    let mut reply = reader("Reply");
    reply["parent_id"] = parent["id"].clone();
    let reply = post_as_reader(&app, &thread, reply).await.json;
    approve(&app, &reply["id"]).await;
    let mut nested = reader("Reply to the reply");
    nested["parent_id"] = reply["id"].clone();
    let nested = post_as_reader(&app, &thread, nested).await.json;
    approve(&app, &nested["id"]).await;
    assert_eq!(comment_count(&app).await, 3);

    let rejected = app
        .patch(
            &format!("/api/v1/comments/{}", parent["id"]),
            &json!({"status": "rejected"}),
        )
        .await;
    assert_eq!(rejected.status, 200, "{}", rejected.text);
    // The count, the thread and the single GET agree: nothing is shown.
    assert_eq!(comment_count(&app).await, 0);
    assert_eq!(app.get(&thread).await.json["meta"]["total"], 0);
    for id in [&parent["id"], &reply["id"], &nested["id"]] {
        app.get(&format!("/api/v1/comments/{id}"))
            .await
            .assert_problem(404);
    }
    // Moderators still see it all.
    assert_eq!(
        app.admin_get(&format!("/api/v1/comments/{}", nested["id"]))
            .await
            .json["status"],
        "approved"
    );
    // Approving the parent again shows the whole subtree again.
    approve(&app, &parent["id"]).await;
    assert_eq!(comment_count(&app).await, 3);
    assert_eq!(app.get(&thread).await.json["meta"]["total"], 3);
    assert_eq!(
        app.get(&format!("/api/v1/comments/{}", nested["id"]))
            .await
            .status,
        200
    );
    // Deleting the middle one takes its reply along, and the count follows.
    let deleted = app
        .delete(&format!("/api/v1/comments/{}", reply["id"]))
        .await;
    assert_eq!(deleted.status, 204);
    assert_eq!(comment_count(&app).await, 1);
}
