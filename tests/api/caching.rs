//! The answer cache: a write makes stale exactly the answers it changes,
//! whichever process writes, and no other.

use std::collections::BTreeMap;

use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

#[derive(QueryableByName)]
struct Generation {
    #[diesel(sql_type = diesel::sql_types::Text)]
    key: String,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Every dependency's generation, as the triggers keep them.
fn generations(app: &TestApp) -> BTreeMap<String, i64> {
    let mut conn = app.connection();
    diesel::sql_query("SELECT key, n FROM generations")
        .load::<Generation>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|row| (row.key, row.n))
        .collect()
}

/// The keys whose generation moved between two readings.
fn moved(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>) -> Vec<String> {
    after
        .iter()
        .filter(|(key, n)| before.get(*key) != Some(n))
        .map(|(key, _)| key.clone())
        .collect()
}

#[tokio::test]
async fn a_write_moves_only_the_keys_of_what_it_changes() {
    let app = spawn_app().await;
    let world = app.topic("World", None).await;
    let sport = app.topic("Sport", None).await;
    app.entity("North Korea", "country").await;
    let story = app.article("Story", &["world"], &["north-korea"]).await;
    let other = app.article("Match report", &["sport"], &[]).await;
    let (story_id, other_id) = (story["id"].as_i64().unwrap(), other["id"].as_i64().unwrap());

    // A reader's comment, held: nothing any answer shows.
    let before = generations(&app);
    let comment = app
        .json_as(
            "",
            reqwest::Method::POST,
            &format!("/api/v1/articles/{other_id}/comments"),
            &json!({"author_name": "R", "author_email": "r@example.org", "body": "Great match"}),
        )
        .await
        .json;
    assert_eq!(moved(&before, &generations(&app)), Vec::<String>::new());
    // Approved: only that article's count changed.
    let before = generations(&app);
    app.patch(
        &format!("/api/v1/comments/{}", comment["id"]),
        &json!({"status": "approved"}),
    )
    .await;
    assert_eq!(
        moved(&before, &generations(&app)),
        [format!("article:{other_id}")]
    );

    // An edit of the story: it, the lists it is in, and nothing of Sport.
    let before = generations(&app);
    app.patch(
        &format!("/api/v1/articles/{story_id}"),
        &json!({"title": "Story, updated"}),
    )
    .await;
    let keys = moved(&before, &generations(&app));
    for key in [
        format!("article:{story_id}"),
        format!("topic:{}", world["id"]),
        "list:articles".to_owned(),
        "kind:country".to_owned(),
    ] {
        assert!(keys.contains(&key), "{key} moves: {keys:?}");
    }
    assert!(
        !keys.contains(&format!("topic:{}", sport["id"])),
        "{keys:?}"
    );
    assert!(!keys.contains(&format!("article:{other_id}")), "{keys:?}");
}

#[tokio::test]
async fn no_cached_answer_survives_a_write_that_changes_it_from_any_process() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.topic("Sport", None).await;
    let story = app.article("Story", &["world"], &[]).await;
    app.article("Match report", &["sport"], &[]).await;
    let path = format!("/api/v1/articles/{}", story["id"]);
    // Warm every answer.
    for url in [
        &path,
        "/api/v1/articles",
        "/api/v1/articles?topic=world",
        "/api/v1/articles?topic=sport",
    ] {
        app.get(url).await;
    }
    // Moved from World to Sport through the API.
    app.patch(&path, &json!({"topics": ["sport"]})).await;
    assert_eq!(
        app.slugs("/api/v1/articles?topic=world").await,
        Vec::<String>::new()
    );
    assert_eq!(
        app.slugs("/api/v1/articles?topic=sport").await,
        ["match-report", "story"]
    );
    // A comment approved by another process changes the cached article
    // and the lists that show it.
    let mut conn = app.connection();
    diesel::sql_query(format!(
        "UPDATE articles SET comment_count = 7 WHERE id = {}",
        story["id"]
    ))
    .execute(&mut conn)
    .unwrap();
    assert_eq!(app.get(&path).await.json["comment_count"], 7);
    let front = app.get("/api/v1/articles?topic=sport").await.json;
    let shown = front["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["id"] == story["id"])
        .unwrap()
        .clone();
    assert_eq!(shown["comment_count"], 7);
    // A rename by another process reaches the articles that embed it.
    diesel::sql_query("UPDATE topics SET name = 'Sports' WHERE slug = 'sport'")
        .execute(&mut conn)
        .unwrap();
    assert_eq!(app.get(&path).await.json["topics"][0]["name"], "Sports");
    assert_eq!(
        app.get("/api/v1/articles").await.json["data"][0]["topics"][0]["name"],
        "Sports"
    );
}

#[tokio::test]
async fn public_gets_carry_the_surrogate_keys_a_cdn_purges_by() {
    let app = spawn_app().await;
    let topic = app.topic("World", None).await;
    let entity = app.entity("North Korea", "country").await;
    let story = app.article("Story", &["world"], &["north-korea"]).await;
    let reply = app.get(&format!("/api/v1/articles/{}", story["id"])).await;
    let keys: Vec<&str> = reply.header("surrogate-key").unwrap().split(' ').collect();
    for key in [
        format!("article:{}", story["id"]),
        format!("author:{}", story["author"]["id"]),
        format!("topic:{}", topic["id"]),
        format!("entity:{}", entity["id"]),
    ] {
        assert!(keys.contains(&key.as_str()), "{key} in {keys:?}");
    }
    let front = app.get("/api/v1/articles").await;
    let keys: Vec<&str> = front.header("surrogate-key").unwrap().split(' ').collect();
    assert!(keys.contains(&"list:articles"), "{keys:?}");
    assert!(
        keys.contains(&format!("article:{}", story["id"]).as_str()),
        "{keys:?}"
    );
    let section = app.get("/api/v1/articles?topic=world").await;
    let keys = section.header("surrogate-key").unwrap();
    assert!(keys.contains(&format!("topic:{}", topic["id"])), "{keys}");
    for (path, key) in [
        ("/api/v1/topics".to_owned(), "list:topics".to_owned()),
        (
            "/api/v1/topics/world".to_owned(),
            format!("topic:{}", topic["id"]),
        ),
        ("/api/v1/entities".to_owned(), "list:entities".to_owned()),
        (
            "/api/v1/entities/north-korea".to_owned(),
            format!("entity:{}", entity["id"]),
        ),
        (
            format!("/api/v1/articles/{}/comments", story["id"]),
            format!("article:{}", story["id"]),
        ),
        ("/feeds/articles.atom".to_owned(), "feed".to_owned()),
        (
            "/feeds/topics/world.atom".to_owned(),
            format!("topic:{}", topic["id"]),
        ),
    ] {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 200, "{path}");
        let keys = reply.header("surrogate-key").unwrap_or_default();
        assert!(
            keys.split(' ').any(|k| k == key),
            "{path}: {key} in {keys:?}"
        );
    }
}
