//! Webhooks: a receiver in the test (a small HTTP server on 127.0.0.1)
//! gets every event once, signed (checked here with HMAC computed apart
//! from the server's signing code), retried, and never for a write that
//! failed; a dead receiver holds up no one; private targets are refused.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use newsdesk::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, spawn_app, spawn_app_with, test_config};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub(crate) struct Received {
    headers: HashMap<String, String>,
    body: String,
}

impl Received {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    pub(crate) fn event_type(&self) -> String {
        self.json()["type"].as_str().unwrap().to_owned()
    }
}

/// What the receiver does with the n-th request (from 0): answer this
/// status, or hold the connection without answering.
type Behaviour = dyn Fn(usize) -> Option<u16> + Send + Sync;

/// A small HTTP/1.1 server on 127.0.0.1, one thread per connection.
pub(crate) struct Receiver {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    pub(crate) fn answering(status: u16) -> Receiver {
        Receiver::start(Arc::new(move |_| Some(status)))
    }

    fn start(behaviour: Arc<Behaviour>) -> Receiver {
        Receiver::start_on(0, behaviour)
    }

    fn start_on(port: u16, behaviour: Arc<Behaviour>) -> Receiver {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let count = Arc::new(AtomicUsize::new(0));
        let log = Arc::clone(&received);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (log, count, behaviour) =
                    (Arc::clone(&log), Arc::clone(&count), Arc::clone(&behaviour));
                std::thread::spawn(move || serve(stream, &log, &count, &*behaviour));
            }
        });
        Receiver { port, received }
    }

    pub(crate) fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    pub(crate) fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits until `done` holds for what arrived, failing after `within`.
    async fn wait_until(
        &self,
        within: Duration,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "waited {within:?} for {what}; got {:?}",
                received
                    .iter()
                    .map(Received::event_type)
                    .collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub(crate) async fn wait_for(&self, n: usize) -> Vec<Received> {
        self.wait_until(Duration::from_secs(10), &format!("{n} requests"), |r| {
            r.len() >= n
        })
        .await
    }
}

fn serve(
    mut stream: TcpStream,
    log: &Mutex<Vec<Received>>,
    count: &AtomicUsize,
    behaviour: &Behaviour,
) {
    let mut data = Vec::new();
    let mut buffer = [0u8; 8192];
    let (head_end, length) = loop {
        let Ok(n) = stream.read(&mut buffer) else {
            return;
        };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buffer[..n]);
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_string();
            let length = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())
                        .flatten()
                })
                .unwrap_or(0);
            break (end + 4, length);
        }
    };
    while data.len() < head_end + length {
        let Ok(n) = stream.read(&mut buffer) else {
            return;
        };
        if n == 0 {
            return;
        }
        data.extend_from_slice(&buffer[..n]);
    }
    let head = String::from_utf8_lossy(&data[..head_end]).to_string();
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let body = String::from_utf8_lossy(&data[head_end..head_end + length]).to_string();
    let n = count.fetch_add(1, Ordering::SeqCst);
    log.lock().unwrap().push(Received { headers, body });
    match behaviour(n) {
        Some(status) => {
            let reply = format!(
                "HTTP/1.1 {status} Whatever\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
            );
            let _ = stream.write_all(reply.as_bytes());
        }
        // A dead receiver: takes the request and never answers.
        None => std::thread::sleep(Duration::from_secs(60)),
    }
}

/// The signature the Standard Webhooks spec asks for, computed here from
/// first principles (not with the server's signing code).
fn expected_signature(secret: &str, id: &str, timestamp: &str, body: &str) -> String {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Checks the headers and signature of a delivery, as a receiver would.
fn assert_signed(received: &Received, secret: &str) {
    let id = received.header("webhook-id");
    let timestamp = received.header("webhook-timestamp");
    assert_eq!(id, received.json()["id"], "webhook-id is the event id");
    let sent_at: i64 = timestamp.parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - sent_at).abs() < 60);
    assert_eq!(
        received.header("webhook-signature"),
        expected_signature(secret, id, timestamp, &received.body),
        "signature of {}",
        received.body
    );
    assert_eq!(received.header("content-type"), "application/json");
}

/// A server that may reach 127.0.0.1 and retries within milliseconds.
pub(crate) fn fast_config(dir: &tempfile::TempDir) -> Config {
    Config {
        webhook_allow_private: true,
        webhook_poll_interval: Duration::from_millis(50),
        webhook_retry_schedule: vec![Duration::from_millis(200); 6],
        ..test_config(dir)
    }
}

async fn spawn_fast_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    spawn_app_with(fast_config(&dir), dir).await
}

/// Creates a webhook; returns its id and secret.
pub(crate) async fn subscribe(app: &TestApp, url: &str, events: &[&str]) -> (i64, String) {
    let reply = app
        .post("/api/v1/webhooks", &json!({"url": url, "events": events}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    (
        reply.json["id"].as_i64().unwrap(),
        reply.json["secret"].as_str().unwrap().to_owned(),
    )
}

async fn deliveries(app: &TestApp, webhook: i64) -> Vec<Value> {
    let reply = app
        .admin_get(&format!(
            "/api/v1/webhooks/{webhook}/deliveries?per_page=100"
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply.json["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_secret_is_shown_by_the_post_and_never_again() {
    let app = spawn_fast_app().await;
    let reply = app
        .post(
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/x", "events": ["*"], "description": "CDN"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
    let secret = reply.json["secret"].as_str().unwrap();
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    assert_eq!(key.len(), 32);
    assert_eq!(reply.json["events"], json!(["*"]));
    assert_eq!(reply.json["active"], true);
    let id = reply.json["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/webhooks/{id}").as_str())
    );
    let one = app.admin_get(&format!("/api/v1/webhooks/{id}")).await;
    assert_eq!(one.status, StatusCode::OK);
    let list = app.admin_get("/api/v1/webhooks").await;
    let patched = app
        .patch(&format!("/api/v1/webhooks/{id}"), &json!({"active": false}))
        .await;
    assert_eq!(patched.json["active"], false);
    for text in [&one.text, &list.text, &patched.text] {
        assert!(!text.contains(secret), "the secret leaked: {text}");
        assert!(!text.contains("secret"), "{text}");
    }
    assert_eq!(list.json["data"][0]["url"], "https://hooks.example.com/x");
    let second = app
        .post(
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/y", "events": ["ping"]}),
        )
        .await;
    assert_ne!(second.json["secret"], reply.json["secret"]);
}

#[tokio::test]
async fn unknown_events_bad_urls_and_private_targets_are_refused_with_422() {
    // The default: private targets are refused.
    let app = spawn_app().await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/",
        "http://192.168.0.10/",
        "http://172.20.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fd00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "ftp://hooks.example.com/",
        "hooks.example.com/x",
        "not a url",
    ] {
        let reply = app
            .post("/api/v1/webhooks", &json!({"url": url, "events": ["*"]}))
            .await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), ["url"], "{url}: {}", reply.text);
    }
    let private = app
        .post(
            "/api/v1/webhooks",
            &json!({"url": "http://127.0.0.1/", "events": ["*"]}),
        )
        .await;
    assert!(
        private.text.contains("NEWSDESK_WEBHOOK_ALLOW_PRIVATE"),
        "{}",
        private.text
    );
    let unknown = app
        .post(
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/", "events": ["article.created", "article.exploded"]}),
        )
        .await;
    unknown.assert_problem(422);
    assert_eq!(unknown.error_fields(), ["events[1]"], "{}", unknown.text);
    for events in [json!([]), json!(["*", "ping"]), json!("*")] {
        let reply = app
            .post(
                "/api/v1/webhooks",
                &json!({"url": "https://hooks.example.com/", "events": events}),
            )
            .await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), ["events"], "{events}: {}", reply.text);
    }
    let good = app
        .post(
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/", "events": ["article.published"]}),
        )
        .await;
    assert_eq!(good.status, StatusCode::CREATED);
    let id = good.json["id"].as_i64().unwrap();
    let patched = app
        .patch(
            &format!("/api/v1/webhooks/{id}"),
            &json!({"url": "http://[::ffff:10.0.0.1]/"}),
        )
        .await;
    patched.assert_problem(422);
    assert_eq!(patched.error_fields(), ["url"]);
    assert_eq!(
        app.patch(&format!("/api/v1/webhooks/{id}"), &json!({"events": null}))
            .await
            .error_fields(),
        ["events"]
    );
}

#[tokio::test]
async fn only_admins_manage_webhooks() {
    let app = spawn_fast_app().await;
    let (id, _) = subscribe(&app, "https://hooks.example.com/", &["*"]).await;
    let (_, editor) = app.staff("editor").await;
    let list = app.get_as(&editor, "/api/v1/webhooks").await;
    list.assert_problem(403);
    let create = app
        .json_as(
            &editor,
            Method::POST,
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/", "events": ["*"]}),
        )
        .await;
    create.assert_problem(403);
    let ping = app
        .json_as(
            &editor,
            Method::POST,
            &format!("/api/v1/webhooks/{id}/ping"),
            &json!({}),
        )
        .await;
    ping.assert_problem(403);
    app.get("/api/v1/webhooks").await.assert_problem(401);
    app.admin_get("/api/v1/webhooks/999")
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn every_event_type_arrives_once_signed_with_the_resource_and_its_purge_keys() {
    let app = spawn_fast_app().await;
    let receiver = Receiver::answering(200);
    let (webhook, secret) = subscribe(&app, &receiver.url(), &["*"]).await;

    let topic = app.topic("World", None).await;
    let entity = app.entity("North Korea", "country").await;
    let article = app.article("A story", &["world"], &["north-korea"]).await;
    let id = article["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}");
    assert_eq!(
        app.patch(&path, &json!({"title": "A changed story"}))
            .await
            .status,
        200
    );
    assert_eq!(
        app.patch(&path, &json!({"status": "draft"})).await.status,
        200
    );
    assert_eq!(
        app.patch(&path, &json!({"status": "published"}))
            .await
            .status,
        200
    );
    // Nothing changes: no event.
    assert_eq!(
        app.patch(&path, &json!({"status": "published"}))
            .await
            .status,
        200
    );
    let comment = app
        .json_as(
            "",
            Method::POST,
            &format!("{path}/comments"),
            &json!({"author_name": "R", "author_email": "r@example.org", "body": "First"}),
        )
        .await;
    assert_eq!(comment.json["status"], "pending");
    let comment_id = comment.json["id"].as_i64().unwrap();
    let approved = app
        .patch(
            &format!("/api/v1/comments/{comment_id}"),
            &json!({"status": "approved"}),
        )
        .await;
    assert_eq!(approved.status, 200);
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let scheduled = app
        .create(
            "/api/v1/articles",
            json!({"title": "Later", "status": "scheduled", "published_at": soon}),
        )
        .await;
    let topic_path = format!("/api/v1/topics/{}", topic["id"]);
    let entity_path = format!("/api/v1/entities/{}", entity["id"]);
    assert_eq!(
        app.patch(&topic_path, &json!({"description": "Abroad"}))
            .await
            .status,
        200
    );
    assert_eq!(
        app.patch(&entity_path, &json!({"name": "DPRK"}))
            .await
            .status,
        200
    );
    assert_eq!(app.delete(&path).await.status, 204);
    assert_eq!(app.delete(&topic_path).await.status, 204);
    assert_eq!(app.delete(&entity_path).await.status, 204);
    let ping = app
        .post(&format!("/api/v1/webhooks/{webhook}/ping"), &json!({}))
        .await;
    assert_eq!(ping.status, StatusCode::ACCEPTED, "{}", ping.text);

    let mut expected: HashMap<&str, usize> = HashMap::new();
    for event in [
        "topic.created",
        "entity.created",
        "article.created",
        "article.published",
        "article.updated",
        "article.updated",
        "article.unpublished",
        "article.updated",
        "article.published",
        "comment.created",
        "comment.approved",
        "article.created",
        "article.published",
        "topic.updated",
        "entity.updated",
        "article.unpublished",
        "article.deleted",
        "topic.deleted",
        "entity.deleted",
        "ping",
    ] {
        *expected.entry(event).or_default() += 1;
    }
    let total: usize = expected.values().sum();
    receiver.wait_for(total).await;
    // Anything extra (a duplicate) would arrive within this time too.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let received = receiver.received();
    let mut counted: HashMap<String, usize> = HashMap::new();
    for delivery in &received {
        *counted.entry(delivery.event_type()).or_default() += 1;
        assert_signed(delivery, &secret);
    }
    let expected: HashMap<String, usize> = expected
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    assert_eq!(counted, expected);
    let ids: std::collections::HashSet<&str> =
        received.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids.len(), received.len(), "each event once");

    let of = |event_type: &str| -> Vec<Value> {
        received
            .iter()
            .filter(|r| r.event_type() == event_type)
            .map(Received::json)
            .collect()
    };
    // The resource in its staff shape, and what to purge.
    let created = &of("article.created")[0];
    assert_eq!(created["data"]["id"], id);
    assert_eq!(created["data"]["body"], "Some words.");
    assert_eq!(created["data"]["topics"][0]["slug"], "world");
    for key in [
        format!("article:{id}"),
        format!("topic:{}", topic["id"]),
        format!("entity:{}", entity["id"]),
        "kind:country".to_owned(),
        "list:articles".to_owned(),
        "feed".to_owned(),
    ] {
        assert!(
            created["purge"].as_array().unwrap().contains(&json!(key)),
            "{key} in {}",
            created["purge"]
        );
    }
    let approved = &of("comment.approved")[0];
    assert_eq!(approved["data"]["author_email"], "r@example.org");
    assert_eq!(approved["data"]["status"], "approved");
    assert_eq!(
        approved["purge"],
        json!([format!("comment:{comment_id}"), format!("article:{id}")])
    );
    let scheduled_published = of("article.published")
        .into_iter()
        .find(|event| event["data"]["id"] == scheduled["id"])
        .expect("the scheduled article's article.published");
    assert_eq!(scheduled_published["data"]["status"], "published");
    let deleted = &of("article.deleted")[0];
    assert_eq!(deleted["data"]["title"], "A changed story");
    assert_eq!(of("entity.updated")[0]["data"]["name"], "DPRK");
    assert!(of("ping")[0]["purge"].as_array().unwrap().is_empty());

    // The log agrees: every delivery delivered at the first attempt.
    let log = deliveries(&app, webhook).await;
    assert_eq!(log.len(), total);
    for delivery in &log {
        assert_eq!(delivery["state"], "delivered", "{delivery}");
        assert_eq!(delivery["attempt"], 1);
        assert_eq!(delivery["status_code"], 200);
        assert!(delivery["next_attempt_at"].is_null());
    }
}

#[tokio::test]
async fn a_subscription_gets_only_its_event_types_and_an_inactive_one_nothing() {
    let app = spawn_fast_app().await;
    let published = Receiver::answering(200);
    let paused = Receiver::answering(200);
    subscribe(&app, &published.url(), &["article.published"]).await;
    let (paused_id, _) = subscribe(&app, &paused.url(), &["*"]).await;
    app.patch(
        &format!("/api/v1/webhooks/{paused_id}"),
        &json!({"active": false}),
    )
    .await;
    app.topic("World", None).await;
    app.create("/api/v1/articles", json!({"title": "A draft"}))
        .await;
    let article = app.article("Out now", &[], &[]).await;
    let received = published.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(published.received().len(), 1);
    assert_eq!(received[0].event_type(), "article.published");
    assert_eq!(received[0].json()["data"]["id"], article["id"]);
    assert!(paused.received().is_empty());
    let ping = app
        .post(&format!("/api/v1/webhooks/{paused_id}/ping"), &json!({}))
        .await;
    ping.assert_problem(409);
}

#[tokio::test]
async fn a_receiver_failing_twice_gets_exactly_three_attempts_with_one_webhook_id() {
    let app = spawn_fast_app().await;
    let receiver = Receiver::start(Arc::new(|n| Some(if n < 2 { 500 } else { 200 })));
    let (webhook, secret) = subscribe(&app, &receiver.url(), &["topic.created"]).await;
    app.topic("World", None).await;
    let received = receiver.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(receiver.received().len(), 3, "no fourth attempt");
    let id = received[0].header("webhook-id");
    for attempt in &received {
        assert_eq!(attempt.header("webhook-id"), id);
        assert_eq!(attempt.body, received[0].body);
        assert_signed(attempt, &secret);
    }
    let log = deliveries(&app, webhook).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["state"], "delivered");
    assert_eq!(log[0]["attempt"], 3);
    assert_eq!(log[0]["status_code"], 200);
    assert_eq!(log[0]["event_id"], id);
    assert_eq!(log[0]["type"], "topic.created");
    assert!(log[0]["error"].is_null());
}

#[tokio::test]
async fn writes_that_fail_send_nothing() {
    let app = spawn_fast_app().await;
    let receiver = Receiver::answering(200);
    subscribe(&app, &receiver.url(), &["*"]).await;
    let article = app
        .create("/api/v1/articles", json!({"title": "One", "slug": "one"}))
        .await;
    // A 409 (slug taken), a 422 (unknown topic) and a 412 (stale If-Match)
    // each roll back their transaction.
    app.post("/api/v1/articles", &json!({"title": "Two", "slug": "one"}))
        .await
        .assert_problem(409);
    app.post(
        "/api/v1/articles",
        &json!({"title": "Three", "topics": ["nowhere"]}),
    )
    .await
    .assert_problem(422);
    app.json_if_match(
        Method::PATCH,
        &format!("/api/v1/articles/{}", article["id"]),
        "\"stale\"",
        Some(&json!({"title": "Four"})),
    )
    .await
    .assert_problem(412);
    app.topic("World", None).await;
    app.post("/api/v1/topics", &json!({"name": "Again", "slug": "world"}))
        .await
        .assert_problem(409);
    // The last good write arrives; nothing of the failed ones came before.
    let received = receiver
        .wait_until(Duration::from_secs(10), "topic.created", |r| {
            r.iter().any(|r| r.event_type() == "topic.created")
        })
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let types: Vec<String> = receiver
        .received()
        .iter()
        .map(Received::event_type)
        .collect();
    assert_eq!(types.len(), 2, "{types:?}");
    assert!(types.contains(&"article.created".to_owned()));
    assert!(received.iter().all(|r| r.json()["data"]["title"] != "Two"));
}

#[tokio::test]
async fn a_dead_receiver_delays_neither_the_writes_nor_another_receiver() {
    let app = spawn_fast_app().await;
    let dead = Receiver::start(Arc::new(|_| None));
    let alive = Receiver::answering(200);
    subscribe(&app, &dead.url(), &["*"]).await;
    subscribe(&app, &alive.url(), &["article.created"]).await;
    let started = Instant::now();
    for n in 0..8 {
        let write = Instant::now();
        app.article(&format!("Story {n}"), &[], &[]).await;
        assert!(write.elapsed() < Duration::from_secs(2), "a write waited");
    }
    alive.wait_for(8).await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the live receiver waited {:?} (a dead one holds its deliveries for 10 s each)",
        started.elapsed()
    );
    // The dead one got some requests (and holds them), bounded per webhook.
    let held = dead.received().len();
    assert!(
        (1..=4).contains(&held),
        "{held} requests to the dead receiver"
    );
}

#[tokio::test]
async fn a_private_target_is_refused_again_at_delivery() {
    // A webhook saved while private targets were allowed, delivered by a
    // server that refuses them (the row is written as the older server
    // would have).
    let app = spawn_app().await;
    let receiver = Receiver::answering(200);
    let hook = app
        .post(
            "/api/v1/webhooks",
            &json!({"url": "https://hooks.example.com/", "events": ["topic.created"]}),
        )
        .await;
    let id = hook.json["id"].as_i64().unwrap();
    {
        use diesel::prelude::*;
        let mut conn = app.connection();
        diesel::sql_query(format!(
            "UPDATE webhooks SET url = '{}' WHERE id = {id}",
            receiver.url()
        ))
        .execute(&mut conn)
        .unwrap();
    }
    app.topic("World", None).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = deliveries(&app, id).await;
        if log.first().is_some_and(|d| d["attempt"] == 1) {
            break log;
        }
        assert!(Instant::now() < deadline, "no attempt: {log:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(log[0]["state"], "pending", "retried later: {}", log[0]);
    assert!(log[0]["status_code"].is_null());
    let error = log[0]["error"].as_str().unwrap();
    assert!(error.contains("127.0.0.1"), "{error}");
    assert!(!log[0]["next_attempt_at"].is_null());
    assert!(receiver.received().is_empty(), "nothing reached 127.0.0.1");
}

#[tokio::test]
async fn the_log_pages_newest_first_and_a_failed_delivery_can_be_retried_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        webhook_retry_schedule: vec![Duration::from_millis(100)],
        ..fast_config(&dir)
    };
    let app = spawn_app_with(config, dir).await;
    let healthy = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&healthy);
    let receiver = Receiver::start(Arc::new(move |_| {
        Some(if flag.load(Ordering::SeqCst) {
            204
        } else {
            503
        })
    }));
    let (webhook, _) = subscribe(&app, &receiver.url(), &["topic.created"]).await;
    for name in ["A", "B", "C"] {
        app.topic(name, None).await;
    }
    receiver.wait_for(6).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let log = loop {
        let log = deliveries(&app, webhook).await;
        if log.iter().all(|d| d["state"] == "failed") {
            break log;
        }
        assert!(Instant::now() < deadline, "not all failed: {log:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(log.len(), 3);
    let names: Vec<&Value> = log.iter().map(|d| &d["id"]).collect();
    assert!(names[0].as_i64() > names[1].as_i64(), "newest first");
    for delivery in &log {
        assert_eq!(delivery["attempt"], 2, "one try and one retry");
        assert_eq!(delivery["status_code"], 503);
        assert!(delivery["error"].as_str().unwrap().contains("503"));
        assert!(delivery["next_attempt_at"].is_null());
    }
    // Paging: one at a time, by cursor.
    let first = app
        .admin_get(&format!("/api/v1/webhooks/{webhook}/deliveries?per_page=1"))
        .await;
    assert_eq!(first.json["meta"]["total"], 3);
    assert_eq!(first.header("x-total-count"), Some("3"));
    let cursor = first.json["meta"]["next_cursor"].as_str().unwrap();
    let second = app
        .admin_get(&format!(
            "/api/v1/webhooks/{webhook}/deliveries?per_page=1&cursor={cursor}"
        ))
        .await;
    assert_eq!(second.json["data"][0]["id"], log[1]["id"]);
    app.admin_get(&format!("/api/v1/webhooks/{webhook}/deliveries?cursor=zz"))
        .await
        .assert_problem(422);

    healthy.store(true, Ordering::SeqCst);
    let oldest = log[2]["id"].as_i64().unwrap();
    let retry = app
        .post(
            &format!("/api/v1/webhooks/{webhook}/deliveries/{oldest}/retry"),
            &json!({}),
        )
        .await;
    assert_eq!(retry.status, StatusCode::ACCEPTED, "{}", retry.text);
    assert_eq!(retry.json["state"], "pending");
    let received = receiver.wait_for(7).await;
    assert_eq!(received[6].header("webhook-id"), log[2]["event_id"]);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let log = deliveries(&app, webhook).await;
        let retried = log.iter().find(|d| d["id"] == oldest).unwrap();
        if retried["state"] == "delivered" {
            assert_eq!(retried["attempt"], 3);
            assert_eq!(retried["status_code"], 204);
            break;
        }
        assert!(Instant::now() < deadline, "{retried}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.post(
        &format!("/api/v1/webhooks/{webhook}/deliveries/999/retry"),
        &json!({}),
    )
    .await
    .assert_problem(404);
    // An inactive webhook sends nothing, so it cannot be retried.
    app.patch(
        &format!("/api/v1/webhooks/{webhook}"),
        &json!({"active": false}),
    )
    .await;
    let paused = app
        .post(
            &format!("/api/v1/webhooks/{webhook}/deliveries/{oldest}/retry"),
            &json!({}),
        )
        .await;
    paused.assert_problem(409);
    assert_eq!(paused.error_fields(), ["active"]);
}

#[tokio::test]
async fn a_ping_is_delivered_signed_to_that_webhook_alone() {
    let app = spawn_fast_app().await;
    let receiver = Receiver::answering(200);
    let other = Receiver::answering(200);
    let (webhook, secret) = subscribe(&app, &receiver.url(), &["comment.created"]).await;
    subscribe(&app, &other.url(), &["*"]).await;
    let ping = app
        .post(&format!("/api/v1/webhooks/{webhook}/ping"), &json!({}))
        .await;
    assert_eq!(ping.status, StatusCode::ACCEPTED);
    assert_eq!(ping.json["type"], "ping");
    let received = receiver.wait_for(1).await;
    assert_signed(&received[0], &secret);
    assert_eq!(received[0].json()["data"]["webhook_id"], webhook);
    assert_eq!(received[0].header("webhook-id"), ping.json["event_id"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(other.received().is_empty());
    app.post("/api/v1/webhooks/999/ping", &json!({}))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn deleting_a_webhook_honours_if_match_and_takes_its_log() {
    let app = spawn_fast_app().await;
    let receiver = Receiver::answering(200);
    let (webhook, _) = subscribe(&app, &receiver.url(), &["*"]).await;
    app.topic("World", None).await;
    receiver.wait_for(1).await;
    let path = format!("/api/v1/webhooks/{webhook}");
    app.json_if_match(Method::DELETE, &path, "\"stale\"", None)
        .await
        .assert_problem(412);
    let etag = app.etag_as(&app.admin_token, &path).await;
    let deleted = app.json_if_match(Method::DELETE, &path, &etag, None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    app.admin_get(&path).await.assert_problem(404);
    app.admin_get(&format!("{path}/deliveries"))
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn two_servers_on_one_database_deliver_each_event_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = fast_config(&dir);
    let second_dir = tempfile::tempdir().unwrap();
    let second_config = Config {
        database_url: config.database_url.clone(),
        ..fast_config(&second_dir)
    };
    let app = spawn_app_with(config, dir).await;
    let receiver = Receiver::answering(200);
    subscribe(&app, &receiver.url(), &["topic.created"]).await;
    let other = spawn_app_with(second_config, second_dir).await;
    for n in 0..20 {
        let node = if n % 2 == 0 { &app } else { &other };
        node.topic(&format!("Topic {n}"), None).await;
    }
    receiver.wait_for(20).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let received = receiver.received();
    let ids: std::collections::HashSet<&str> =
        received.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(received.len(), 20, "delivered more than once");
    assert_eq!(ids.len(), 20);
}

/// The README's worked example, whose signature was computed with Python's
/// `hmac` and with `openssl dgst -hmac` (they agree).
#[test]
fn the_readme_signature_example_is_what_the_server_computes() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw2hr9QDGRkCo=";
    let id = "evt_018fc7a1b2c3d4e5f60718293a4b";
    let timestamp = 1_717_146_000;
    let body = r#"{"id":"evt_018fc7a1b2c3d4e5f60718293a4b","type":"ping","created_at":"2024-05-31T09:00:00Z","data":{"webhook_id":3},"purge":[]}"#;
    let expected = "v1,M2sh6Z3bh2Df3/xlgW7psZq+9B5UD9jn9LdDCdMVULI=";
    assert_eq!(
        newsdesk::webhooks::sign::signature(secret, id, timestamp, body).unwrap(),
        expected
    );
    assert_eq!(
        expected_signature(secret, id, &timestamp.to_string(), body),
        expected
    );
    let readme = std::fs::read_to_string("README.md").unwrap();
    for needle in [secret, id, body, expected] {
        assert!(readme.contains(needle), "the README shows {needle}");
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The real binary on `database`, retrying deliveries every second.
fn start_binary(database: &str, port: u16) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .arg("serve")
        .env("DATABASE_URL", database)
        .env("NEWSDESK_BIND", format!("127.0.0.1:{port}"))
        .env("NEWSDESK_JWT_SECRET", crate::helpers::JWT_SECRET)
        .env("NEWSDESK_ADMIN_EMAIL", crate::helpers::ADMIN_EMAIL)
        .env("NEWSDESK_ADMIN_PASSWORD", crate::helpers::ADMIN_PASSWORD)
        .env("NEWSDESK_WEBHOOK_ALLOW_PRIVATE", "true")
        .env("NEWSDESK_WEBHOOK_POLL_INTERVAL", "0.05")
        .env("NEWSDESK_WEBHOOK_RETRY_SCHEDULE", "1,1,1,1,1,1")
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the server did not come up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_committed_before_a_sigkill_are_delivered_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("restart.db").to_string_lossy().into_owned();
    let client = reqwest::Client::new();
    // Nothing listens at the receiver's address while the first server
    // runs: it is killed with every event committed and none delivered.
    let receiver_port = free_port();
    let receiver_url = format!("http://127.0.0.1:{receiver_port}/hook");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut first = start_binary(&database, port);
    wait_ready(&client, &base).await;
    let token: Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": crate::helpers::ADMIN_EMAIL, "password": crate::helpers::ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let hook: Value = client
        .post(format!("{base}/api/v1/webhooks"))
        .bearer_auth(&token)
        .json(&json!({"url": receiver_url, "events": ["topic.created"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = hook["secret"].as_str().unwrap().to_owned();
    for n in 0..5 {
        let created = client
            .post(format!("{base}/api/v1/topics"))
            .bearer_auth(&token)
            .json(&json!({"name": format!("Topic {n}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
    }
    // Let it try (and fail) at least once.
    tokio::time::sleep(Duration::from_millis(300)).await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();

    let receiver = Receiver::start_on(receiver_port, Arc::new(|_| Some(200)));
    let port = free_port();
    let mut second = start_binary(&database, port);
    wait_ready(&client, &format!("http://127.0.0.1:{port}")).await;
    let received = receiver.wait_for(5).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    second.kill().unwrap();
    second.wait().unwrap();
    assert_eq!(receiver.received().len(), 5);
    let mut names: Vec<String> = received
        .iter()
        .map(|r| {
            assert_signed(r, &secret);
            r.json()["data"]["name"].as_str().unwrap().to_owned()
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["Topic 0", "Topic 1", "Topic 2", "Topic 3", "Topic 4"]
    );
}

#[tokio::test]
async fn a_scheduled_article_is_announced_once_by_two_servers_and_not_at_all_once_withdrawn() {
    let dir = tempfile::tempdir().unwrap();
    let config = fast_config(&dir);
    let second_dir = tempfile::tempdir().unwrap();
    let second_config = Config {
        database_url: config.database_url.clone(),
        ..fast_config(&second_dir)
    };
    let app = spawn_app_with(config, dir).await;
    let receiver = Receiver::answering(200);
    subscribe(
        &app,
        &receiver.url(),
        &["article.published", "article.unpublished"],
    )
    .await;
    let _other = spawn_app_with(second_config, second_dir).await;
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1200)).to_rfc3339();
    let later = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    let mut due = Vec::new();
    for n in 0..3 {
        let article = app
            .create(
                "/api/v1/articles",
                json!({"title": format!("Due {n}"), "status": "scheduled", "published_at": soon}),
            )
            .await;
        due.push(article["id"].clone());
    }
    // Withdrawn before its time, and rescheduled far ahead: neither is
    // announced.
    let withdrawn = app
        .create(
            "/api/v1/articles",
            json!({"title": "Withdrawn", "status": "scheduled", "published_at": soon}),
        )
        .await;
    app.patch(
        &format!("/api/v1/articles/{}", withdrawn["id"]),
        &json!({"status": "draft"}),
    )
    .await;
    let moved = app
        .create(
            "/api/v1/articles",
            json!({"title": "Moved", "status": "scheduled", "published_at": soon}),
        )
        .await;
    app.patch(
        &format!("/api/v1/articles/{}", moved["id"]),
        &json!({"published_at": later}),
    )
    .await;
    let received = receiver.wait_for(3).await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(receiver.received().len(), 3, "announced more than once");
    let mut announced: Vec<Value> = received
        .iter()
        .map(|r| {
            assert_eq!(r.event_type(), "article.published");
            r.json()["data"]["id"].clone()
        })
        .collect();
    announced.sort_by_key(|id| id.as_i64());
    assert_eq!(announced, due);
    // Public now, and said so once: a later edit is no new publication.
    app.patch(
        &format!("/api/v1/articles/{}", due[0]),
        &json!({"title": "Due, edited"}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 3);
}

#[tokio::test]
async fn articles_scheduled_by_a_path_without_events_are_announced_once_owed() {
    // An import writes rows without the API's bookkeeping and then owes
    // every scheduled article its announcement (store::outbox::owe_scheduled).
    let app = spawn_fast_app().await;
    let receiver = Receiver::answering(200);
    subscribe(&app, &receiver.url(), &["article.published"]).await;
    let draft = app
        .create("/api/v1/articles", json!({"title": "Imported"}))
        .await;
    {
        use diesel::prelude::*;
        let mut conn = app.connection();
        let due = (chrono::Utc::now() + chrono::Duration::milliseconds(800))
            .naive_utc()
            .format("%Y-%m-%d %H:%M:%S%.3f");
        diesel::sql_query(format!(
            "UPDATE articles SET status = 'scheduled', published_at = '{due}' WHERE id = {}",
            draft["id"]
        ))
        .execute(&mut conn)
        .unwrap();
        assert_eq!(
            newsdesk::store::outbox::owe_scheduled(&mut conn).unwrap(),
            1
        );
        assert_eq!(
            newsdesk::store::outbox::owe_scheduled(&mut conn).unwrap(),
            0
        );
    }
    let received = receiver.wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.received().len(), 1);
    assert_eq!(received[0].json()["data"]["id"], draft["id"]);
    assert_eq!(received[0].json()["data"]["status"], "published");
}

/// Claims of due deliveries by two nodes at once take disjoint rows. On
/// PostgreSQL the second claimer, while the first still holds its rows
/// (`FOR UPDATE SKIP LOCKED`), passes over them without waiting; on SQLite
/// claims take turns in the write transaction. Either way a leased
/// delivery is claimed by nobody else, and a retry by hand is refused
/// while the lease lasts.
#[tokio::test]
async fn two_claimers_at_once_take_disjoint_deliveries() {
    use chrono::NaiveDate;
    use diesel::RunQueryDsl;
    use newsdesk::store::outbox::{self, NewEvent};

    let app = spawn_app().await;
    let (webhook, _) = subscribe(&app, "https://hooks.example/claims", &["article.created"]).await;
    // Due in 2999: the server's own worker never claims them.
    let due = NaiveDate::from_ymd_opt(2999, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let later = due + chrono::Duration::days(1);
    let mut setup = app.connection();
    let mut all = Vec::new();
    for n in 0..6 {
        let id = format!("claim-{n}");
        let event = NewEvent {
            id: &id,
            event_type: "article.created",
            payload: "{}",
            created_at: due,
        };
        all.extend(outbox::insert(&mut setup, &event, &[webhook as i32]).unwrap());
    }

    let mut first = app.connection();
    let mut second = app.connection();
    let ids = |candidates: Vec<outbox::Candidate>| -> Vec<i32> {
        candidates.iter().map(|c| c.delivery_id).collect()
    };
    let (taken_first, taken_second) = if matches!(first, newsdesk::db::Conn::Postgres(_)) {
        diesel::sql_query("BEGIN").execute(&mut first).unwrap();
        diesel::sql_query("BEGIN").execute(&mut second).unwrap();
        let taken_first = ids(outbox::candidates(&mut first, later, 2).unwrap());
        // The first claim is still open: its rows are locked, not leased.
        let taken_second = ids(outbox::candidates(&mut second, later, 10).unwrap());
        outbox::lease(&mut first, &taken_first, later).unwrap();
        outbox::lease(&mut second, &taken_second, later).unwrap();
        diesel::sql_query("COMMIT").execute(&mut first).unwrap();
        diesel::sql_query("COMMIT").execute(&mut second).unwrap();
        (taken_first, taken_second)
    } else {
        let claim = |conn: &mut newsdesk::db::Conn, limit| {
            newsdesk::db::write_transaction(conn, |conn| {
                let taken = ids(outbox::candidates(conn, later, limit)?);
                outbox::lease(conn, &taken, later)?;
                Ok::<_, diesel::result::Error>(taken)
            })
            .unwrap()
        };
        (claim(&mut first, 2), claim(&mut second, 10))
    };
    assert_eq!(taken_first.len(), 2, "{taken_first:?}");
    assert_eq!(taken_second.len(), 4, "{taken_second:?}");
    let mut together: Vec<i32> = taken_first.iter().chain(&taken_second).copied().collect();
    together.sort_unstable();
    assert_eq!(together, all, "every delivery claimed once");
    // Leased until `later`: nothing left to claim before then.
    assert!(
        outbox::candidates(&mut setup, later, 10)
            .unwrap()
            .is_empty()
    );

    let retry = app
        .post(
            &format!("/api/v1/webhooks/{webhook}/deliveries/{}/retry", all[0]),
            &json!({}),
        )
        .await;
    retry.assert_problem(409);
}
