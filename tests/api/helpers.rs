//! `spawn_app()` and a small client for the tests.

use newsdesk::app::Application;
use newsdesk::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A running server on its own database, dropped with the test.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db_path: String,
    _dir: tempfile::TempDir,
}

/// A response read whole: status, headers and body (JSON when it parses).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts that this is an RFC 9457 problem with `status` and returns its body.
    pub fn assert_problem(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status, body: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.text
        );
        assert_eq!(self.json["status"], status);
        assert!(
            self.json["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:newsdesk:problem:"))
        );
        assert!(self.json["title"].is_string());
        assert!(self.json["detail"].is_string());
        &self.json
    }

    /// The `field` of every entry of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let db_path = dir
        .path()
        .join("newsdesk.db")
        .to_string_lossy()
        .into_owned();
    let config = Config {
        database_url: db_path.clone(),
        bind: "127.0.0.1:0".to_owned(),
        workers: Some(1),
        pool_size: 4,
        ..Config::default()
    };
    let app = Application::build(config).expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        db_path,
        _dir: dir,
    }
}

impl TestApp {
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body read");
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            text,
            json,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path))).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.client.delete(self.url(path))).await
    }

    pub async fn json(&self, method: Method, path: &str, body: &Value) -> Reply {
        self.send(self.client.request(method, self.url(path)).json(body))
            .await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.json(Method::POST, path, body).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.json(Method::PUT, path, body).await
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Reply {
        self.json(Method::PATCH, path, body).await
    }

    /// Sends `body` as is, with the given content type.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Reply {
        self.send(
            self.client
                .request(method, self.url(path))
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    /// Creates what `body` describes at `path` and returns it, failing the
    /// test unless the answer is a 201.
    pub async fn create(&self, path: &str, body: Value) -> Value {
        let reply = self.post(path, &body).await;
        assert_eq!(
            reply.status,
            StatusCode::CREATED,
            "creating {body} at {path}: {}",
            reply.text
        );
        reply.json
    }

    pub async fn topic(&self, name: &str, parent: Option<&str>) -> Value {
        self.create("/api/v1/topics", json!({"name": name, "parent": parent}))
            .await
    }

    pub async fn entity(&self, name: &str, kind: &str) -> Value {
        self.create("/api/v1/entities", json!({"name": name, "kind": kind}))
            .await
    }

    /// A published article tagged with the given slugs.
    pub async fn article(&self, title: &str, topics: &[&str], entities: &[&str]) -> Value {
        self.create(
            "/api/v1/articles",
            json!({"title": title, "body": "Some words.", "status": "published", "topics": topics, "entities": entities}),
        )
        .await
    }

    /// The slugs of a list's `data`, in order.
    pub async fn slugs(&self, path: &str) -> Vec<String> {
        let reply = self.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "GET {path}: {}", reply.text);
        reply.json["data"]
            .as_array()
            .expect("data array")
            .iter()
            .map(|item| item["slug"].as_str().expect("slug").to_owned())
            .collect()
    }
}
