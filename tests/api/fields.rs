//! `fields=`: only the top-level fields asked for, each set its own
//! representation, and no related rows read that are not shown.

use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use newsdesk::api::articles::projection::{LIST_FIELDS, Projection};
use newsdesk::store::PageRequest;
use newsdesk::store::articles::{self, ArticleFilter, PageSpec};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

async fn newsroom(app: &TestApp) {
    app.topic("World", None).await;
    app.entity("North Korea", "country").await;
    app.article("North Korea warns G7", &["world"], &["north-korea"])
        .await;
    app.article("Second story", &["world"], &[]).await;
}

fn keys(item: &Value) -> Vec<String> {
    let mut keys: Vec<String> = item
        .as_object()
        .expect("an object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

#[tokio::test]
async fn a_list_with_fields_has_only_those_fields_in_each_item() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let reply = app.get("/api/v1/articles?fields=id,slug,title").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let data = reply.json["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    for item in data {
        assert_eq!(keys(item), ["id", "slug", "title"]);
    }
    assert_eq!(reply.json["meta"]["total"], 2);
}

#[tokio::test]
async fn fields_keep_the_values_of_the_whole_representation() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let whole = app.get("/api/v1/articles").await;
    let narrow = app
        .get("/api/v1/articles?fields=title,entities,author,corrections")
        .await;
    for (whole, narrow) in whole.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .zip(narrow.json["data"].as_array().unwrap())
    {
        for field in ["title", "entities", "author", "corrections"] {
            assert_eq!(whole[field], narrow[field], "{field}");
        }
        assert_eq!(keys(narrow), ["author", "corrections", "entities", "title"]);
    }
}

#[tokio::test]
async fn a_single_article_with_fields_has_only_those_fields() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let reply = app
        .get("/api/v1/articles/north-korea-warns-g7?fields=id,title,body_html")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(keys(&reply.json), ["body_html", "id", "title"]);
    assert_eq!(reply.json["title"], "North Korea warns G7");
    assert!(reply.json["body_html"].as_str().unwrap().contains("<p>"));
}

#[tokio::test]
async fn unknown_fields_are_a_422_naming_them() {
    let app = spawn_app().await;
    newsroom(&app).await;
    for path in [
        "/api/v1/articles?fields=id,bogus,secret_sauce",
        "/api/v1/articles/north-korea-warns-g7?fields=id,bogus,secret_sauce",
    ] {
        let reply = app.get(path).await;
        let problem = reply.assert_problem(422);
        assert_eq!(reply.error_fields(), ["fields"], "{path}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("bogus") && message.contains("secret_sauce"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn body_is_a_field_of_a_single_article_but_not_of_a_list() {
    let app = spawn_app().await;
    newsroom(&app).await;
    app.get("/api/v1/articles?fields=id,body")
        .await
        .assert_problem(422);
    let one = app
        .get("/api/v1/articles/north-korea-warns-g7?fields=body")
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
}

#[tokio::test]
async fn an_empty_fields_list_is_a_422() {
    let app = spawn_app().await;
    newsroom(&app).await;
    app.get("/api/v1/articles?fields=")
        .await
        .assert_problem(422);
    app.get("/api/v1/articles?fields=,")
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn each_set_of_fields_is_its_own_representation_with_its_own_etag() {
    let app = spawn_app().await;
    newsroom(&app).await;
    for base in ["/api/v1/articles", "/api/v1/articles/north-korea-warns-g7"] {
        let sep = if base.contains('?') { '&' } else { '?' };
        let whole = app.get(base).await;
        let narrow = app.get(&format!("{base}{sep}fields=id,slug")).await;
        let other = app.get(&format!("{base}{sep}fields=id,title")).await;
        // Asked again (from the cache), each answers as it did.
        let narrow_again = app.get(&format!("{base}{sep}fields=id,slug")).await;
        let whole_again = app.get(base).await;
        let tags: Vec<&str> = [&whole, &narrow, &other]
            .iter()
            .map(|reply| reply.header("etag").expect("an ETag"))
            .collect();
        assert_ne!(tags[0], tags[1], "{base}");
        assert_ne!(tags[1], tags[2], "{base}");
        assert_ne!(tags[0], tags[2], "{base}");
        assert_eq!(narrow_again.text, narrow.text, "{base}");
        assert_eq!(narrow_again.header("etag"), Some(tags[1]), "{base}");
        assert_eq!(whole_again.text, whole.text, "{base}");
        assert_ne!(whole.text, narrow.text, "{base}");
    }
}

#[tokio::test]
async fn a_narrow_representation_follows_changes_to_the_article() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let path = "/api/v1/articles?fields=id,title";
    let before = app.get(path).await;
    let id = before.json["data"][0]["id"].as_i64().unwrap();
    let reply = app
        .patch(
            &format!("/api/v1/articles/{id}"),
            &serde_json::json!({"title": "A new title"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let after = app.get(path).await;
    assert_eq!(after.json["data"][0]["title"], "A new title");
    let one = app
        .get(&format!("/api/v1/articles/{id}?fields=title"))
        .await;
    assert_eq!(one.json["title"], "A new title");
}

#[tokio::test]
async fn an_if_none_match_of_a_narrow_representation_is_a_304() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let path = "/api/v1/articles?fields=id,slug";
    let etag = app.get(path).await.header("etag").unwrap().to_owned();
    let reply = app
        .send(app.client.get(app.url(path)).header("If-None-Match", etag))
        .await;
    assert_eq!(reply.status, 304);
}

/// The SQL of every statement run on the connection, kept for the test.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl Instrumentation for Statements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            self.0.lock().unwrap().push(query.to_string());
        }
    }
}

#[tokio::test]
async fn a_projection_without_tags_runs_no_tag_correction_or_author_query() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let pool = newsdesk::db::connect(&app.db_path, 1).unwrap();
    let mut conn = pool.get().unwrap();
    let statements = Statements::default();
    conn.set_instrumentation(statements.clone());
    let filter = ArticleFilter::default();
    let spec = PageSpec::Offset(PageRequest {
        page: 1,
        per_page: 20,
    });
    let run = |conn: &mut newsdesk::db::Conn, fields: Option<&str>| {
        statements.0.lock().unwrap().clear();
        let projection = Projection::parse(fields, LIST_FIELDS).unwrap();
        let parts = newsdesk::api::articles::projection::parts(projection.as_ref());
        let resolved = articles::Resolved::new(conn, &filter).unwrap();
        let total = articles::count(conn, &resolved).unwrap();
        let page = articles::page_parts(conn, &resolved, &spec, total, parts).unwrap();
        assert_eq!(page.items.len(), 2);
        statements.0.lock().unwrap().clone()
    };
    let reads = |statements: &[String], table: &str| {
        statements
            .iter()
            .filter(|sql| {
                sql.contains(&format!("`{table}`")) || sql.contains(&format!("\"{table}\""))
            })
            .count()
    };
    let whole = run(&mut conn, None);
    for table in ["article_topics", "article_entities", "corrections", "users"] {
        assert_eq!(reads(&whole, table), 1, "{table} in {whole:#?}");
    }
    let narrow = run(&mut conn, Some("id,slug,title"));
    for table in ["article_topics", "article_entities", "corrections", "users"] {
        assert_eq!(reads(&narrow, table), 0, "{table} in {narrow:#?}");
    }
    assert!(narrow.len() < whole.len());
    let topics_only = run(&mut conn, Some("id,topics"));
    assert_eq!(reads(&topics_only, "article_topics"), 1);
    assert_eq!(reads(&topics_only, "article_entities"), 0);
}
