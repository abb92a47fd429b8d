//! Related stories: shared entities by rarity, then topics, then recency.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// A published article of that day of May 2024 with these tags.
async fn story(app: &TestApp, title: &str, day: u32, topics: &[&str], entities: &[&str]) -> Value {
    app.create(
        "/api/v1/articles",
        json!({"title": title, "body": "Words.", "status": "published",
               "published_at": format!("2024-05-{day:02}T09:00:00Z"),
               "topics": topics, "entities": entities}),
    )
    .await
}

/// A newsroom where "source" shares a rare entity with one story, a common
/// one with three, and a topic with two.
async fn newsroom(app: &TestApp) {
    app.topic("Diplomacy", None).await;
    app.topic("Sport", None).await;
    app.entity("Rare Island", "place").await;
    app.entity("Big Country", "country").await;
    story(
        app,
        "Source",
        10,
        &["diplomacy"],
        &["rare-island", "big-country"],
    )
    .await;
    story(app, "Shares the rare one", 1, &[], &["rare-island"]).await;
    story(
        app,
        "Shares the common one, older",
        2,
        &[],
        &["big-country"],
    )
    .await;
    story(
        app,
        "Shares the common one and the topic",
        3,
        &["diplomacy"],
        &["big-country"],
    )
    .await;
    story(
        app,
        "Shares the common one, newer",
        4,
        &[],
        &["big-country"],
    )
    .await;
    story(app, "Shares the topic only", 5, &["diplomacy"], &[]).await;
    story(app, "Shares nothing", 6, &["sport"], &[]).await;
    app.create(
        "/api/v1/articles",
        json!({"title": "A draft sharing everything", "status": "draft",
               "topics": ["diplomacy"], "entities": ["rare-island", "big-country"]}),
    )
    .await;
}

#[tokio::test]
async fn related_stories_rank_rare_entities_then_topics_then_recency() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let expected = [
        "shares-the-rare-one",
        "shares-the-common-one-and-the-topic",
        "shares-the-common-one-newer",
        "shares-the-common-one-older",
        "shares-the-topic-only",
    ];
    assert_eq!(app.slugs("/api/v1/articles/source/related").await, expected);
    // Staff see the same: the draft is not public, so never related.
    assert_eq!(
        app.slugs_as(&app.admin_token, "/api/v1/articles/source/related?limit=20")
            .await,
        expected
    );
    assert_eq!(
        app.slugs("/api/v1/articles/source/related?limit=2").await,
        expected[..2]
    );
    let reply = app.get("/api/v1/articles/source/related").await;
    assert!(reply.header("etag").is_some());
    let first = &reply.json["data"][0];
    assert_eq!(first["entities"][0]["slug"], "rare-island");
    assert!(first.get("body").is_none());

    // The rare entity becomes the commoner one: the story sharing only it
    // falls below those sharing the other (1 / ln(1 + 5) < 1 / ln(1 + 4)).
    for day in 11..14 {
        story(
            &app,
            &format!("More on the island {day}"),
            day,
            &["sport"],
            &["rare-island"],
        )
        .await;
    }
    let slugs = app.slugs("/api/v1/articles/source/related?limit=20").await;
    assert_eq!(slugs.len(), 8, "{slugs:?}");
    assert!(!slugs.contains(&"source".to_owned()));
    assert!(!slugs.contains(&"shares-nothing".to_owned()));
    let position = |slug: &str| slugs.iter().position(|s| s == slug).unwrap();
    // Among stories sharing the same entity, the newer first.
    assert!(position("more-on-the-island-13") < position("more-on-the-island-11"));
    assert!(position("more-on-the-island-11") < position("shares-the-rare-one"));
    assert!(position("shares-the-common-one-older") < position("shares-the-rare-one"));
    assert!(
        position("shares-the-common-one-and-the-topic") < position("shares-the-common-one-newer")
    );
    assert_eq!(slugs.last().unwrap(), "shares-the-topic-only");
}

#[tokio::test]
async fn a_draft_has_related_stories_only_for_whom_may_see_it() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let draft = "a-draft-sharing-everything";
    app.get(&format!("/api/v1/articles/{draft}/related"))
        .await
        .assert_problem(404);
    let (_, author) = app.staff("author").await;
    app.get_as(&author, &format!("/api/v1/articles/{draft}/related"))
        .await
        .assert_problem(404);
    let slugs = app
        .slugs_as(
            &app.admin_token,
            &format!("/api/v1/articles/{draft}/related"),
        )
        .await;
    assert_eq!(slugs[..2], ["source", "shares-the-rare-one"]);
    assert!(!slugs.contains(&draft.to_owned()));
}

#[tokio::test]
async fn unknown_articles_are_404_and_limits_outside_1_to_20_are_422() {
    let app = spawn_app().await;
    newsroom(&app).await;
    app.get("/api/v1/articles/no-such-story/related")
        .await
        .assert_problem(404);
    app.get("/api/v1/articles/999999/related")
        .await
        .assert_problem(404);
    for limit in ["0", "21", "-1", "1000000000000"] {
        let reply = app
            .get(&format!("/api/v1/articles/source/related?limit={limit}"))
            .await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), ["limit"], "{}", reply.text);
    }
    let reply = app.get("/api/v1/articles/source/related?limit=many").await;
    assert!(reply.status.is_client_error(), "{}", reply.text);
    assert_eq!(
        app.slugs("/api/v1/articles/source/related?limit=1").await,
        ["shares-the-rare-one"]
    );
    // An article that shares nothing has no related stories.
    assert!(
        app.slugs("/api/v1/articles/shares-nothing/related")
            .await
            .is_empty()
    );
}

/// Asserts that a write succeeded.
fn saved(reply: crate::helpers::Reply) {
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.text);
}

#[tokio::test]
async fn a_cached_answer_follows_every_write_that_changes_it() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let path = "/api/v1/articles/source/related?limit=20";
    let before = app.slugs(path).await;
    assert_eq!(app.slugs(path).await, before, "a second read is the same");

    // A story shown is retitled: the answer shows the new title.
    saved(
        app.patch(
            "/api/v1/articles/shares-the-rare-one",
            &json!({"title": "The rare one, retitled"}),
        )
        .await,
    );
    let reply = app.get(path).await;
    assert_eq!(reply.json["data"][0]["title"], "The rare one, retitled");

    // A story that shared nothing is tagged: it joins.
    saved(
        app.patch(
            "/api/v1/articles/shares-nothing",
            &json!({"entities": ["rare-island"]}),
        )
        .await,
    );
    assert!(app.slugs(path).await.contains(&"shares-nothing".to_owned()));

    // A story shown is unpublished: it leaves.
    saved(
        app.patch(
            "/api/v1/articles/shares-the-topic-only",
            &json!({"status": "draft"}),
        )
        .await,
    );
    assert!(
        !app.slugs(path)
            .await
            .contains(&"shares-the-topic-only".to_owned())
    );

    // The source itself becomes a draft: anonymous readers get a 404, not
    // the answer cached for it while it was public.
    saved(
        app.patch("/api/v1/articles/source", &json!({"status": "draft"}))
            .await,
    );
    app.get(path).await.assert_problem(404);
}
