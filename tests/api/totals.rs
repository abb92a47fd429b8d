//! List totals and article counts: kept in the writing transaction where
//! they can be (one topic with its subtree, entity, kind, author, source),
//! bounded at 10,000 elsewhere, and always what a count of the rows says.

use diesel::prelude::*;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Public articles matching `condition` (SQL over `a`, the articles row),
/// counted from the rows themselves.
fn brute_count(app: &TestApp, condition: &str) -> i64 {
    let mut conn = app.connection();
    // The clock as the app writes timestamps, a literal both backends read.
    let now = chrono::Utc::now()
        .naive_utc()
        .format("%Y-%m-%d %H:%M:%S%.3f");
    diesel::sql_query(format!(
        "SELECT count(*) AS n FROM articles a WHERE (a.status = 'published' \
         OR (a.status = 'scheduled' AND a.published_at <= '{now}')) \
         AND ({condition})"
    ))
    .get_result::<Count>(&mut conn)
    .unwrap()
    .n
}

/// A subtree condition: tagged with `slug` or a topic below it.
fn under(slug: &str) -> String {
    format!(
        "a.id IN (SELECT at.article_id FROM article_topics at WHERE at.topic_id IN \
         (WITH RECURSIVE t(id) AS (SELECT id FROM topics WHERE slug = '{slug}' \
          UNION SELECT c.id FROM topics c JOIN t ON c.parent_id = t.id) SELECT id FROM t))"
    )
}

/// Checks every kept total against a count of the rows.
async fn check(app: &TestApp) {
    let entity = |slug: &str| {
        format!(
            "a.id IN (SELECT ae.article_id FROM article_entities ae JOIN entities e ON e.id = ae.entity_id WHERE e.slug = '{slug}')"
        )
    };
    let kind = |kind: &str| {
        format!(
            "a.id IN (SELECT ae.article_id FROM article_entities ae JOIN entities e ON e.id = ae.entity_id WHERE e.kind = '{kind}')"
        )
    };
    let cases = [
        ("topic=world", under("world")),
        ("topic=asia", under("asia")),
        ("topic=korea", under("korea")),
        ("topic=sport", under("sport")),
        ("entity=north-korea", entity("north-korea")),
        ("entity=un", entity("un")),
        ("kind=country", kind("country")),
        ("kind=organisation", kind("organisation")),
        ("source=AFP", "a.source = 'AFP'".to_owned()),
        ("author=1", "a.author_id = 1".to_owned()),
    ];
    for (query, condition) in cases {
        let reply = app.get(&format!("/api/v1/articles?{query}")).await;
        if reply.status == 422 {
            continue; // a tag deleted by now
        }
        assert_eq!(reply.status, 200, "{query}: {}", reply.text);
        let expected = brute_count(app, &condition);
        assert_eq!(
            reply.json["meta"]["total"],
            expected,
            "{query} {}",
            reply.text.chars().take(300).collect::<String>()
        );
        assert_eq!(reply.json["meta"]["total_exact"], true, "{query}");
    }
    for (slug, condition) in [
        ("world", under("world")),
        ("asia", under("asia")),
        ("sport", under("sport")),
    ] {
        let topic = app.get(&format!("/api/v1/topics/{slug}")).await.json;
        if topic["status"] == 404 {
            continue;
        }
        assert_eq!(
            topic["article_count"],
            brute_count(app, &condition),
            "topic {slug}"
        );
    }
    for slug in ["north-korea", "un"] {
        let found = app.get(&format!("/api/v1/entities/{slug}")).await.json;
        if found["status"] == 404 {
            continue;
        }
        assert_eq!(
            found["article_count"],
            brute_count(app, &entity(slug)),
            "entity {slug}"
        );
    }
}

#[tokio::test]
async fn kept_totals_follow_every_kind_of_write() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.topic("Asia", Some("world")).await;
    app.topic("Korea", Some("asia")).await;
    app.topic("Sport", None).await;
    app.entity("North Korea", "country").await;
    app.entity("Russia", "country").await;
    app.entity("UN", "organisation").await;
    // Tagged twice in one subtree: counted once.
    let a = app
        .create(
            "/api/v1/articles",
            json!({"title": "A", "status": "published", "source": "AFP",
            "topics": ["asia", "korea"], "entities": ["north-korea", "russia"]}),
        )
        .await;
    let b = app
        .create(
            "/api/v1/articles",
            json!({"title": "B", "status": "published",
            "topics": ["world", "sport"], "entities": ["un"]}),
        )
        .await;
    let draft = app
        .create(
            "/api/v1/articles",
            json!({"title": "C", "topics": ["korea"], "entities": ["north-korea"]}),
        )
        .await;
    check(&app).await;
    // Retagged, published, unpublished, deleted.
    app.patch(
        &format!("/api/v1/articles/{}", a["id"]),
        &json!({"topics": ["sport"], "entities": ["un"]}),
    )
    .await;
    check(&app).await;
    app.patch(
        &format!("/api/v1/articles/{}", draft["id"]),
        &json!({"status": "published", "source": "AFP"}),
    )
    .await;
    check(&app).await;
    app.patch(
        &format!("/api/v1/articles/{}", b["id"]),
        &json!({"status": "archived"}),
    )
    .await;
    check(&app).await;
    app.delete(&format!("/api/v1/articles/{}", draft["id"]))
        .await;
    check(&app).await;
    // The tree and the entities change under the articles.
    app.create(
        "/api/v1/articles",
        json!({"title": "D", "status": "published",
        "topics": ["korea"], "entities": ["russia"]}),
    )
    .await;
    app.patch("/api/v1/topics/korea", &json!({"parent": "sport"}))
        .await;
    check(&app).await;
    app.patch("/api/v1/entities/russia", &json!({"kind": "organisation"}))
        .await;
    check(&app).await;
    app.delete("/api/v1/topics/asia").await;
    app.delete("/api/v1/entities/north-korea").await;
    check(&app).await;
    // A scheduled article counts once its time has passed. The check
    // before it is made only while that time is well ahead: a check that
    // straddles it would compare an answer from before with a count from
    // after.
    let soon = chrono::Utc::now() + chrono::Duration::milliseconds(3000);
    app.create(
        "/api/v1/articles",
        json!({"title": "E", "status": "scheduled", "published_at": soon.to_rfc3339(),
        "source": "AFP", "topics": ["world"], "entities": ["un"]}),
    )
    .await;
    if chrono::Utc::now() + chrono::Duration::milliseconds(2000) < soon {
        check(&app).await;
    }
    let wait = (soon - chrono::Utc::now()).num_milliseconds().max(0) + 200;
    tokio::time::sleep(std::time::Duration::from_millis(wait.unsigned_abs())).await;
    check(&app).await;
    // The next article write marks it published in the table; nothing a
    // reader sees changes.
    app.create("/api/v1/articles", json!({"title": "F"})).await;
    let mut conn = app.connection();
    let waiting =
        diesel::sql_query("SELECT count(*) AS n FROM articles WHERE status = 'scheduled'")
            .get_result::<Count>(&mut conn)
            .unwrap();
    assert_eq!(waiting.n, 0);
    check(&app).await;
    assert_eq!(
        app.get("/api/v1/articles?source=AFP").await.json["meta"]["total"],
        2
    );
}

#[tokio::test]
async fn totals_of_searches_and_combinations_stop_at_ten_thousand() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    // 10,001 published articles, written straight to the database.
    let mut conn = app.connection();
    newsdesk::db::write_transaction(&mut conn, |conn| {
        diesel::sql_query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001) \
             INSERT INTO articles (slug, title, status, published_at, source, author_id, \
                 word_count, reading_time_minutes, created_at, updated_at) \
             SELECT 'story-' || i, 'Story ' || i, 'published', '2024-05-01 09:00:00', 'AFP', 1, \
                 0, 0, '2024-05-01 09:00:00', '2024-05-01 09:00:00' FROM n",
        )
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO article_topics (article_id, topic_id) SELECT id, 1 FROM articles",
        )
        .execute(conn)?;
        QueryResult::Ok(())
    })
    .unwrap();
    // One topic: a kept count, exact.
    let section = app.get("/api/v1/articles?topic=world&per_page=1").await;
    assert_eq!(section.json["meta"]["total"], 10001);
    assert_eq!(section.json["meta"]["total_exact"], true);
    // Two filters: bounded.
    let combined = app
        .get("/api/v1/articles?topic=world&source=AFP&per_page=1")
        .await;
    assert_eq!(combined.status, 200, "{}", combined.text);
    assert_eq!(combined.json["meta"]["total"], 10000);
    assert_eq!(combined.json["meta"]["total_exact"], false);
    assert_eq!(combined.header("x-total-count"), Some("10000"));
    assert_eq!(combined.json["meta"]["total_pages"], 10000);
    // Under the bound, exact again.
    let dated = app
        .get("/api/v1/articles?topic=world&source=AFP&to=2020-01-01")
        .await;
    assert_eq!(dated.json["meta"]["total"], 0);
    assert_eq!(dated.json["meta"]["total_exact"], true);
}

#[tokio::test]
async fn deleting_a_topic_moves_its_children_up_and_the_counts_follow() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.topic("Asia", Some("world")).await;
    app.topic("Korea", Some("asia")).await;
    app.create(
        "/api/v1/articles",
        json!({"title": "A", "status": "published", "topics": ["korea"]}),
    )
    .await;
    app.delete("/api/v1/topics/asia").await;
    let korea = app.get("/api/v1/topics/korea").await.json;
    assert_eq!(korea["parent"]["slug"], "world", "{korea}");
    assert_eq!(
        app.get("/api/v1/topics/world").await.json["article_count"],
        1
    );
    check(&app).await;
    // A root's children become roots, counted by no one above.
    app.delete("/api/v1/topics/world").await;
    assert_eq!(
        app.get("/api/v1/topics/korea").await.json["article_count"],
        1
    );
    check(&app).await;
}
