//! 64 clients at once: reads, creates, updates with and without If-Match,
//! and comment posts. No 5xx, and no acknowledged update is lost.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::json;

use crate::helpers::{spawn_app_with, test_config};

const CLIENTS: usize = 64;
const TARGETS: usize = 4;
/// Requests per client: a fixed amount of work, not a time window, so a
/// busy machine makes the test slower, never wrong.
const STEPS: usize = 12;

#[derive(Default)]
struct Ledger {
    statuses: HashMap<u16, usize>,
    /// For each target article: every acknowledged update's (version, summary).
    updates: HashMap<String, Vec<(i64, String)>>,
    created: Vec<(i64, String)>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_lose_nothing_and_see_no_server_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir);
    config.comment_rate_per_minute = 0;
    config.comments_auto_approve = true;
    config.workers = Some(2);
    config.pool_size = 8;
    let app = Arc::new(spawn_app_with(config, dir).await);
    for n in 0..TARGETS {
        app.create("/api/v1/articles", json!({"title": format!("Target {n}"), "slug": format!("target-{n}"), "status": "published"})).await;
    }
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let (app, ledger) = (Arc::clone(&app), Arc::clone(&ledger));
        clients.push(tokio::spawn(async move {
            for step in 1..=STEPS {
                let target = format!("/api/v1/articles/target-{}", (client + step) % TARGETS);
                let summary = format!("client {client} step {step}");
                let status = match (client + step) % 6 {
                    0 => app.get("/api/v1/articles?per_page=20").await.status,
                    1 => app.get(&target).await.status,
                    2 => {
                        let title = format!("Story by {client} #{step}");
                        let reply = app.post("/api/v1/articles", &json!({"title": title, "status": "published"})).await;
                        if reply.status == 201 {
                            ledger.lock().unwrap().created.push((reply.json["id"].as_i64().unwrap(), title));
                        }
                        reply.status
                    }
                    3 => {
                        // Read, then write only if nobody wrote in between.
                        let current = app.admin_get(&target).await;
                        let etag = current.header("etag").unwrap_or("\"none\"").to_owned();
                        let request = app
                            .client
                            .patch(app.url(&target))
                            .bearer_auth(&app.admin_token)
                            .header("if-match", etag)
                            .json(&json!({"summary": summary}));
                        let reply = app.send(request).await;
                        if reply.status == 200 {
                            let version = reply.json["version"].as_i64().unwrap();
                            ledger.lock().unwrap().updates.entry(target.clone()).or_default().push((version, summary));
                        }
                        reply.status
                    }
                    4 => {
                        let reply = app.patch(&target, &json!({"summary": summary})).await;
                        if reply.status == 200 {
                            let version = reply.json["version"].as_i64().unwrap();
                            ledger.lock().unwrap().updates.entry(target.clone()).or_default().push((version, summary));
                        }
                        reply.status
                    }
                    _ => {
                        let body = json!({"author_name": format!("Reader {client}"), "author_email": "r@example.org", "body": summary});
                        app.json_as("", reqwest::Method::POST, &format!("{target}/comments"), &body).await.status
                    }
                };
                *ledger.lock().unwrap().statuses.entry(status.as_u16()).or_default() += 1;
            }
        }));
    }
    for client in clients {
        client.await.unwrap();
    }
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    let total: usize = ledger.statuses.values().sum();
    eprintln!(
        "{total} requests by {CLIENTS} clients: {:?}",
        ledger.statuses
    );
    assert_eq!(total, CLIENTS * STEPS, "every request was answered");
    assert!(
        ledger.statuses.keys().all(|status| *status < 500),
        "server errors: {:?}",
        ledger.statuses
    );
    assert!(
        ledger
            .statuses
            .keys()
            .all(|status| [200, 201, 412].contains(status)),
        "{:?}",
        ledger.statuses
    );

    // Every acknowledged update is there, or superseded by a later
    // acknowledged one: the article shows the highest acknowledged version.
    for (target, updates) in &ledger.updates {
        let (version, summary) = updates.iter().max_by_key(|(version, _)| *version).unwrap();
        let article = app.admin_get(target).await.json;
        assert_eq!(article["version"], *version, "{target}");
        assert_eq!(article["summary"], summary.as_str(), "{target}");
        let versions: std::collections::BTreeSet<i64> =
            updates.iter().map(|(version, _)| *version).collect();
        assert_eq!(
            versions.len(),
            updates.len(),
            "{target}: two acknowledged updates claim one version"
        );
    }
    for (id, title) in &ledger.created {
        let article = app.admin_get(&format!("/api/v1/articles/{id}")).await;
        assert_eq!(article.json["title"], title.as_str());
    }
    // Counts agree with the rows after the storm.
    for n in 0..TARGETS {
        let article = app.get(&format!("/api/v1/articles/target-{n}")).await.json;
        let thread = app
            .get(&format!("/api/v1/articles/target-{n}/comments?per_page=1"))
            .await;
        assert_eq!(
            article["comment_count"].as_i64().unwrap().to_string(),
            thread.header("x-total-count").unwrap()
        );
    }
}
