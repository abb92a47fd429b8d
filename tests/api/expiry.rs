//! Expiry: from an article's `expires_at` on, the public no longer sees it
//! anywhere (a 410 by slug), at read time and through every cache; staff
//! still do, with `expired: true`; `article.unpublished` fires then.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::webhooks::{Receiver, fast_config, subscribe};

/// `from_now` ahead, as the API takes it.
fn ahead(from_now: Duration) -> (DateTime<Utc>, String) {
    let at = Utc::now() + chrono::Duration::from_std(from_now).unwrap();
    (at, at.to_rfc3339())
}

/// Sleeps until just after `at`.
async fn sleep_past(at: DateTime<Utc>) {
    let left = (at - Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(300)).await;
}

fn count(reply: &Value) -> i64 {
    reply["article_count"].as_i64().unwrap()
}

fn facet(reply: &Value, facet: &str, slug: &str) -> i64 {
    reply["meta"]["facets"][facet]
        .as_array()
        .unwrap()
        .iter()
        .find(|value| value["slug"] == slug)
        .map_or(0, |value| value["count"].as_i64().unwrap())
}

/// Every public view that holds the article "Fleeting" (tagged world and
/// g7, by the author `author_slug`, related to "Lasting"): whether each
/// shows it.
async fn public_views(app: &TestApp, author_slug: &str) -> Vec<(&'static str, bool)> {
    let list = app.get("/api/v1/articles").await;
    let listed = list.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|article| article["slug"] == "fleeting");
    let search = app.slugs("/api/v1/articles?q=fleeting").await;
    let facets = app.get("/api/v1/articles?facets=topic,entity").await;
    let related = app.slugs("/api/v1/articles/lasting/related").await;
    let mut views = vec![
        ("list", listed),
        ("total", list.json["meta"]["total"] == 2),
        ("search", search == ["fleeting"]),
        ("topic facet", facet(&facets.json, "topic", "world") == 2),
        ("entity facet", facet(&facets.json, "entity", "g7") == 2),
        ("related", related.contains(&"fleeting".to_owned())),
        (
            "topic count",
            count(&app.get("/api/v1/topics/world").await.json) == 2,
        ),
        (
            "entity count",
            count(&app.get("/api/v1/entities/g7").await.json) == 2,
        ),
        (
            "author count",
            count(
                &app.get(&format!("/api/v1/authors/{author_slug}"))
                    .await
                    .json,
            ) == 2,
        ),
    ];
    for feed in [
        "/feeds/articles.atom",
        "/feeds/articles.rss",
        "/feeds/articles.json",
        "/feeds/topics/world.atom",
        "/sitemaps/articles-1.xml",
        "/sitemaps/news.xml",
    ] {
        let reply = app.get(feed).await;
        assert_eq!(reply.status, 200, "GET {feed}: {}", reply.text);
        views.push((feed, reply.text.contains("fleeting")));
    }
    views
}

#[tokio::test]
async fn an_expired_article_vanishes_from_every_public_view_at_its_time_without_a_write() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.entity("G7", "organisation").await;
    let (_, token) = app.staff("author").await;
    let me = app.get_as(&token, "/api/v1/auth/me").await;
    let author_slug = me.json["slug"].as_str().unwrap().to_owned();
    app.json_as(
        &token,
        Method::POST,
        "/api/v1/articles",
        &json!({"title": "Lasting", "body": "Words that stay.", "status": "published",
                "topics": ["world"], "entities": ["g7"]}),
    )
    .await;
    // Room for the dozen checks before it, on a busy machine.
    let (expiry, expires_at) = ahead(Duration::from_secs(5));
    let created = app
        .json_as(
            &token,
            Method::POST,
            "/api/v1/articles",
            &json!({"title": "Fleeting", "body": "Words that go.", "status": "published",
                    "topics": ["world"], "entities": ["g7"], "expires_at": expires_at}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(created.json["expired"], false);
    assert_eq!(created.json["status"], "published");

    let before = app.get("/api/v1/articles/fleeting").await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert_eq!(before.json["expired"], false);
    for (view, shown) in public_views(&app, &author_slug).await {
        assert!(shown, "before its expiry, {view} shows the article");
    }
    assert!(Utc::now() < expiry, "the checks before expiry ran too late");

    sleep_past(expiry).await;
    let gone = app.get("/api/v1/articles/fleeting").await;
    gone.assert_problem(410);
    for (view, shown) in public_views(&app, &author_slug).await {
        // The totals and counts above expect 2: now each must be 1.
        assert!(!shown, "after its expiry, {view} still shows the article");
    }
    let list = app.get("/api/v1/articles?facets=topic").await;
    assert_eq!(list.json["meta"]["total"], 1);
    assert_eq!(facet(&list.json, "topic", "world"), 1);
    assert_eq!(count(&app.get("/api/v1/topics/world").await.json), 1);
    assert_eq!(
        count(
            &app.get(&format!("/api/v1/authors/{author_slug}"))
                .await
                .json
        ),
        1
    );
    // Comments on it are no longer public either.
    assert_eq!(
        app.get("/api/v1/articles/fleeting/comments").await.status,
        404
    );
    // Never public: still a 404.
    app.json_as(
        &token,
        Method::POST,
        "/api/v1/articles",
        &json!({"title": "Unseen"}),
    )
    .await;
    app.get("/api/v1/articles/unseen").await.assert_problem(404);
}

#[tokio::test]
async fn staff_still_see_an_expired_article_as_archived_and_expired_before_and_after_a_write() {
    let app = spawn_app().await;
    let (expiry, expires_at) = ahead(Duration::from_secs(1));
    app.create(
        "/api/v1/articles",
        json!({"title": "Short lived", "status": "published", "expires_at": expires_at}),
    )
    .await;
    sleep_past(expiry).await;
    let check = |reply: &crate::helpers::Reply| {
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.json["status"], "archived");
        assert_eq!(reply.json["expired"], true);
    };
    check(&app.admin_get("/api/v1/articles/short-lived").await);
    assert_eq!(
        app.slugs_as(&app.admin_token, "/api/v1/articles?status=archived")
            .await,
        ["short-lived"]
    );
    assert_eq!(
        app.admin_get("/api/v1/articles?status=archived").await.json["meta"]["total"],
        1
    );
    assert!(
        app.slugs_as(&app.admin_token, "/api/v1/articles?status=published")
            .await
            .is_empty()
    );
    // Any article write settles it as archived: nothing a reader sees moves.
    app.create("/api/v1/articles", json!({"title": "Another"}))
        .await;
    check(&app.admin_get("/api/v1/articles/short-lived").await);
    assert_eq!(
        app.admin_get("/api/v1/articles?status=archived").await.json["meta"]["total"],
        1
    );
    assert_eq!(app.get("/api/v1/articles").await.json["meta"]["total"], 0);
    let fields = app
        .admin_get("/api/v1/articles/short-lived?fields=expires_at,expired")
        .await;
    assert_eq!(fields.status, 200, "{}", fields.text);
    assert_eq!(fields.json["expired"], true);
    assert!(fields.json["expires_at"].is_string());
    assert_eq!(fields.json.as_object().unwrap().len(), 2);
}

#[tokio::test]
async fn expires_at_must_follow_published_at_and_not_have_passed_to_publish() {
    let app = spawn_app().await;
    let past = (Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({"title": "Late", "status": "published", "expires_at": past}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["expires_at"]);
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({"title": "Backwards", "status": "scheduled",
                    "published_at": "2099-06-01T00:00:00Z", "expires_at": "2099-05-01T00:00:00Z"}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["expires_at"]);
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({"title": "Odd", "expires_at": "not a time"}),
        )
        .await;
    assert_eq!(reply.status.as_u16() / 100, 4, "{}", reply.text);
    // A scheduled article with a later expiry is fine, and a draft keeps
    // whatever expiry it is given.
    let scheduled = app
        .create(
            "/api/v1/articles",
            json!({"title": "Window", "status": "scheduled",
                   "published_at": "2099-05-01T00:00:00Z", "expires_at": "2099-06-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(scheduled["expires_at"], "2099-06-01T00:00:00Z");
    let draft = app
        .create(
            "/api/v1/articles",
            json!({"title": "Draft", "expires_at": past}),
        )
        .await;
    assert_eq!(draft["expired"], false);
    let reply = app
        .patch("/api/v1/articles/draft", &json!({"status": "published"}))
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["expires_at"]);
}

#[tokio::test]
async fn put_without_expires_at_keeps_it_and_null_clears_it() {
    let app = spawn_app().await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "Kept", "status": "published", "expires_at": "2099-01-01T00:00:00Z"}),
        )
        .await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let put = app
        .put(&path, &json!({"title": "Kept", "status": "published"}))
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(put.json["expires_at"], "2099-01-01T00:00:00Z");
    let cleared = app.patch(&path, &json!({"expires_at": null})).await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert!(cleared.json["expires_at"].is_null());
    let revisions = app.admin_get(&format!("{path}/revisions")).await;
    assert!(
        revisions.json["data"][0]["changed"]
            .as_array()
            .unwrap()
            .contains(&json!("expires_at")),
        "{}",
        revisions.text
    );
}

#[tokio::test]
async fn a_list_cached_before_the_expiry_is_not_served_after_it() {
    let app = spawn_app().await;
    let (expiry, expires_at) = ahead(Duration::from_millis(1500));
    app.create(
        "/api/v1/articles",
        json!({"title": "Cached", "status": "published", "expires_at": expires_at}),
    )
    .await;
    // Twice: the second is served from the answer cache.
    for _ in 0..2 {
        assert_eq!(app.slugs("/api/v1/articles").await, ["cached"]);
        assert_eq!(app.get("/api/v1/articles/cached").await.status, 200);
    }
    let etag = app.get("/api/v1/articles").await;
    let etag = etag.header("etag").unwrap().to_owned();
    sleep_past(expiry).await;
    assert!(app.slugs("/api/v1/articles").await.is_empty());
    app.get("/api/v1/articles/cached").await.assert_problem(410);
    let revalidated = app
        .send(
            app.client
                .get(app.url("/api/v1/articles"))
                .header("if-none-match", &etag),
        )
        .await;
    assert_eq!(revalidated.status, 200, "an old tag must not get a 304");
}

#[tokio::test]
async fn moving_expires_at_later_publishes_an_expired_article_again() {
    let app = spawn_app().await;
    let (expiry, expires_at) = ahead(Duration::from_secs(1));
    app.create(
        "/api/v1/articles",
        json!({"title": "Back", "status": "published", "expires_at": expires_at}),
    )
    .await;
    sleep_past(expiry).await;
    app.get("/api/v1/articles/back").await.assert_problem(410);
    // Published again with its expiry still past: refused.
    let reply = app
        .patch("/api/v1/articles/back", &json!({"status": "published"}))
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["expires_at"]);
    let (_, later) = ahead(Duration::from_secs(3600));
    let reply = app
        .patch(
            "/api/v1/articles/back",
            &json!({"status": "published", "expires_at": later}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["expired"], false);
    let public = app.get("/api/v1/articles/back").await;
    assert_eq!(public.status, 200, "{}", public.text);
    assert_eq!(public.json["status"], "published");
    assert_eq!(app.get("/api/v1/articles").await.json["meta"]["total"], 1);
}

#[tokio::test]
async fn article_unpublished_is_delivered_at_the_expiry_once() {
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_with(fast_config(&dir), dir).await;
    let receiver = Receiver::answering(200);
    subscribe(
        &app,
        &receiver.url(),
        &["article.published", "article.unpublished"],
    )
    .await;
    let (expiry, expires_at) = ahead(Duration::from_millis(1500));
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "Announced", "status": "published", "expires_at": expires_at}),
        )
        .await;
    // One that moves its expiry far ahead is not unpublished.
    let moved = app
        .create(
            "/api/v1/articles",
            json!({"title": "Moved", "status": "published", "expires_at": expires_at}),
        )
        .await;
    let (_, later) = ahead(Duration::from_secs(3600));
    app.patch(
        &format!("/api/v1/articles/{}", moved["id"]),
        &json!({"expires_at": later}),
    )
    .await;
    let received = receiver.wait_for(2).await;
    assert!(
        received
            .iter()
            .all(|r| r.event_type() == "article.published")
    );
    let received = receiver.wait_for(3).await;
    assert!(Utc::now() >= expiry, "unpublished before its time");
    let last = &received[2];
    assert_eq!(last.event_type(), "article.unpublished");
    assert_eq!(last.json()["data"]["id"], article["id"]);
    assert_eq!(last.json()["data"]["expired"], true);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.received().len(), 3, "announced more than once");
}

#[tokio::test]
async fn an_edit_just_after_the_expiry_announces_it_with_every_list_to_purge() {
    // The edit settles the expiry and takes the owed event; its purge must
    // still name the lists and feeds that showed the article.
    let dir = tempfile::tempdir().unwrap();
    let app = spawn_app_with(fast_config(&dir), dir).await;
    let receiver = Receiver::answering(200);
    subscribe(&app, &receiver.url(), &["article.unpublished"]).await;
    app.create("/api/v1/topics", json!({"name": "World"})).await;
    let (expiry, expires_at) = ahead(Duration::from_millis(1500));
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "Wire copy", "status": "published", "topics": ["world"],
                   "expires_at": expires_at}),
        )
        .await;
    sleep_past(expiry).await;
    app.patch(
        &format!("/api/v1/articles/{}", article["id"]),
        &json!({"title": "Wire copy, licence ended"}),
    )
    .await;
    let received = receiver.wait_for(1).await;
    assert_eq!(received[0].event_type(), "article.unpublished");
    let purge = received[0].json()["purge"].clone();
    for key in ["list:articles", "feed"] {
        assert!(
            purge.as_array().unwrap().iter().any(|k| k == key),
            "{key} missing from {purge}"
        );
    }
    // The editor did not unpublish it: the clock did.
    let audit = app
        .admin_get("/api/v1/audit?action=article.unpublished")
        .await;
    assert_eq!(audit.json["data"], json!([]), "{}", audit.text);
}

#[tokio::test]
async fn what_never_was_public_stays_a_404_even_past_its_expiry() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Never shown", "slug": "never-shown", "status": "archived",
               "expires_at": "2001-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(app.get("/api/v1/articles/never-shown").await.status, 404);
}

#[tokio::test]
async fn a_restore_keeps_the_current_expiry() {
    let app = spawn_app().await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "First text", "status": "published"}),
        )
        .await;
    let (_, later) = ahead(Duration::from_secs(3600));
    let path = format!("/api/v1/articles/{}", article["id"]);
    let changed = app
        .patch(&path, &json!({"title": "Second text", "expires_at": later}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    let etag = changed.header("etag").unwrap().to_owned();
    let request = app
        .client
        .post(app.url(&format!("{path}/revisions/1/restore")))
        .bearer_auth(&app.admin_token)
        .header("if-match", etag);
    let restored = app.send(request).await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert_eq!(restored.json["title"], "First text");
    assert_eq!(restored.json["expires_at"], changed.json["expires_at"]);
}
