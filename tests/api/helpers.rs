//! `spawn_app()` and a small client for the tests.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use newsdesk::app::Application;
use newsdesk::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A running server on its own database, dropped with the test.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The server's `DATABASE_URL`: an SQLite file in the test's
    /// directory, or a fresh PostgreSQL database (see `TestDatabase`).
    pub db_path: String,
    /// A token of the bootstrap admin; the write helpers send it.
    pub admin_token: String,
    _database: Option<TestDatabase>,
    _dir: tempfile::TempDir,
}

/// `NEWSDESK_TEST_POSTGRES`: the URL of a PostgreSQL server on which a
/// role may create databases (`postgres://postgres:secret@127.0.0.1/postgres`).
/// When set, every test server runs on a fresh database of its own there,
/// dropped with the test; otherwise on an SQLite file.
pub fn postgres_server() -> Option<String> {
    std::env::var("NEWSDESK_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// True when the suite runs on PostgreSQL.
pub fn on_postgres() -> bool {
    postgres_server().is_some()
}

/// The database a test keeps in `dir` under the name `file`: that SQLite
/// file, or on PostgreSQL (`NEWSDESK_TEST_POSTGRES`) a fresh database made
/// for it. The same `dir` and `file` give the same database.
pub fn database_in(dir: &tempfile::TempDir, file: &str) -> String {
    let Some(server) = postgres_server() else {
        return dir.path().join(file).to_string_lossy().into_owned();
    };
    static MADE: std::sync::Mutex<Vec<(std::path::PathBuf, String)>> =
        std::sync::Mutex::new(Vec::new());
    let key = dir.path().join(file);
    let mut made = MADE.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((_, url)) = made.iter().find(|(path, _)| *path == key) {
        return url.clone();
    }
    let url = create_database(&server);
    made.push((key, url.clone()));
    url
}

/// The prefix of every test database's name, then the test process's id.
const TEST_DATABASE: &str = "newsdesk_test_";

/// Creates an empty database on `server` and returns its URL. The first
/// call of a run drops what earlier, finished runs left (databases made
/// for tests that started no server).
fn create_database(server: &str) -> String {
    use diesel::{Connection, RunQueryDsl};
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        datname: String,
    }
    static SWEPT: std::sync::Once = std::sync::Once::new();
    let mut admin = diesel::PgConnection::establish(server)
        .unwrap_or_else(|err| panic!("NEWSDESK_TEST_POSTGRES {server}: {err}"));
    let pid = std::process::id();
    SWEPT.call_once(|| {
        let old: Vec<Name> = diesel::sql_query(format!(
            "SELECT datname FROM pg_database WHERE datname LIKE '{TEST_DATABASE}%'"
        ))
        .load(&mut admin)
        .expect("list old test databases");
        // Only those of test processes that are gone: another run may be
        // using the same server right now.
        let gone = |name: &str| {
            name.strip_prefix(TEST_DATABASE)
                .and_then(|rest| rest.split('_').next())
                .and_then(|pid| pid.parse::<u32>().ok())
                .is_some_and(|owner| {
                    owner != pid && !std::path::Path::new(&format!("/proc/{owner}")).exists()
                })
        };
        for name in old.into_iter().filter(|name| gone(&name.datname)) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                name.datname
            ))
            .execute(&mut admin);
        }
    });
    let name = format!("{TEST_DATABASE}{pid}_{}", next_number());
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("create a test database");
    database_url(server, &name)
}

/// `server`'s URL naming the database `name` instead.
fn database_url(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').unwrap_or((server, ""));
    let authority = base.find("://").map_or(0, |scheme| scheme + 3);
    let root = match base[authority..].find('/') {
        Some(slash) => &base[..authority + slash],
        None => base,
    };
    if query.is_empty() {
        format!("{root}/{name}")
    } else {
        format!("{root}/{name}?{query}")
    }
}

/// A test server's PostgreSQL database, dropped with it.
pub struct TestDatabase {
    server: String,
    name: String,
}

impl TestDatabase {
    /// The guard of `url`'s database, when it is a test database on the
    /// `NEWSDESK_TEST_POSTGRES` server.
    fn of(url: &str) -> Option<TestDatabase> {
        let server = postgres_server()?;
        let name = url.rsplit('/').next()?.split('?').next()?;
        name.starts_with(TEST_DATABASE).then(|| TestDatabase {
            server,
            name: name.to_owned(),
        })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Ok(mut admin) = diesel::PgConnection::establish(&self.server) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut admin);
        }
    }
}

pub const ADMIN_EMAIL: &str = "admin@newsroom.example";
pub const ADMIN_PASSWORD: &str = "admin password for tests";
pub const JWT_SECRET: &str = "a test secret that is at least 32 bytes long";

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

/// The settings of a test server: its own database, a random port, the
/// bootstrap admin and a known JWT secret.
pub fn test_config(dir: &tempfile::TempDir) -> Config {
    Config {
        database_url: database_in(dir, "newsdesk.db"),
        bind: "127.0.0.1:0".to_owned(),
        workers: Some(1),
        pool_size: 4,
        jwt_secret: Some(JWT_SECRET.to_owned()),
        bootstrap_admin: Some((ADMIN_EMAIL.to_owned(), ADMIN_PASSWORD.to_owned())),
        // Tests post many comments from one address; the limit has its own test.
        comment_rate_per_minute: 1000,
        media_dir: dir.path().join("media").to_string_lossy().into_owned(),
        // Undated article URLs keep the tests' expected links simple; the
        // default template has its own tests (urls.rs).
        urls: newsdesk::urls::PublicUrls::new(
            "http://127.0.0.1:0",
            newsdesk::urls::ArticlePath::parse("/api/v1/articles/{slug}")
                .expect("a valid template"),
        ),
        ..Config::default()
    }
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    spawn_app_with(test_config(&dir), dir).await
}

pub async fn spawn_app_with(config: Config, dir: tempfile::TempDir) -> TestApp {
    // The server's log, captured per test: `RUST_LOG=error cargo test …`
    // shows why a test's request failed.
    let _ = env_logger::builder().is_test(true).try_init();
    let database = TestDatabase::of(&config.database_url);
    let db_path = config.database_path().to_owned();
    let (email, password) = config
        .bootstrap_admin
        .clone()
        .expect("a test server has an admin");
    let app = Application::build(config).expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let mut app = TestApp {
        address,
        // Redirects are answers to check (old slugs' 301s), not to follow.
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("HTTP client"),
        db_path,
        admin_token: String::new(),
        _database: database,
        _dir: dir,
    };
    app.admin_token = app.sign_in(&email, &password).await;
    app
}

impl TestApp {
    /// A connection of its own to the server's database, as another
    /// process would have.
    pub fn connection(&self) -> newsdesk::db::Conn {
        newsdesk::db::establish(&self.db_path).expect("a connection to the test database")
    }

    /// The directory the test server keeps its files in (media).
    pub fn dir(&self) -> &std::path::Path {
        self._dir.path()
    }

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

    /// A token for these credentials, failing the test unless it is a 200.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let body = json!({"email": email, "password": password});
        let reply = self
            .send(self.client.post(self.url("/api/v1/auth/token")).json(&body))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "sign in as {email}: {}",
            reply.text
        );
        reply.json["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// A new staff account with `role`, signed in: its id and token.
    pub async fn staff(&self, role: &str) -> (i64, String) {
        let email = format!("{role}-{}@newsroom.example", next_number());
        let body = json!({"email": email, "display_name": format!("An {role}"), "role": role, "password": "long enough password"});
        let user = self.create("/api/v1/users", body).await;
        (
            user["id"].as_i64().expect("id"),
            self.sign_in(&email, "long enough password").await,
        )
    }

    /// An anonymous GET.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path))).await
    }

    /// A GET with a bearer token.
    pub async fn get_as(&self, token: &str, path: &str) -> Reply {
        self.send(self.client.get(self.url(path)).bearer_auth(token))
            .await
    }

    /// A GET as the admin.
    pub async fn admin_get(&self, path: &str) -> Reply {
        self.get_as(&self.admin_token, path).await
    }

    /// A DELETE as the admin.
    pub async fn delete(&self, path: &str) -> Reply {
        self.delete_as(&self.admin_token, path).await
    }

    pub async fn delete_as(&self, token: &str, path: &str) -> Reply {
        self.send(self.client.delete(self.url(path)).bearer_auth(token))
            .await
    }

    /// A JSON request as the admin.
    pub async fn json(&self, method: Method, path: &str, body: &Value) -> Reply {
        self.json_as(&self.admin_token, method, path, body).await
    }

    /// A JSON request with `token` (none when empty).
    pub async fn json_as(&self, token: &str, method: Method, path: &str, body: &Value) -> Reply {
        let request = self.client.request(method, self.url(path)).json(body);
        let request = if token.is_empty() {
            request
        } else {
            request.bearer_auth(token)
        };
        self.send(request).await
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
                .bearer_auth(&self.admin_token)
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

    /// The slugs of a list's `data`, in order, as the public sees it.
    pub async fn slugs(&self, path: &str) -> Vec<String> {
        self.slugs_as("", path).await
    }

    /// The slugs of a list's `data`, in order, as `token` sees it.
    pub async fn slugs_as(&self, token: &str, path: &str) -> Vec<String> {
        let reply = if token.is_empty() {
            self.get(path).await
        } else {
            self.get_as(token, path).await
        };
        assert_eq!(reply.status, StatusCode::OK, "GET {path}: {}", reply.text);
        reply.json["data"]
            .as_array()
            .expect("data array")
            .iter()
            .map(|item| item["slug"].as_str().expect("slug").to_owned())
            .collect()
    }
}

/// A number no other call in this test binary gets, for unique emails.
pub fn next_number() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A JWT signed with HS256 and `secret`, whatever its claims.
pub fn signed(claims: serde_json::Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

/// Base64url without padding, as in JWTs.
pub fn base64_url(text: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The names of the topics in a database file, read directly.
pub fn topic_names(conn: &mut newsdesk::db::Conn) -> Vec<String> {
    use diesel::prelude::*;
    use newsdesk::db::schema::topics;
    topics::table
        .select(topics::name)
        .order(topics::id)
        .load(conn)
        .expect("topics")
}

impl TestApp {
    /// A JSON write as the admin with an `If-Match` header.
    pub async fn json_if_match(
        &self,
        method: Method,
        path: &str,
        etag: &str,
        body: Option<&Value>,
    ) -> Reply {
        let request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(&self.admin_token)
            .header("if-match", etag);
        let request = match body {
            Some(body) => request.json(body),
            None => request,
        };
        self.send(request).await
    }

    /// The ETag of a GET as `token` (anonymous when empty).
    pub async fn etag_as(&self, token: &str, path: &str) -> String {
        let reply = if token.is_empty() {
            self.get(path).await
        } else {
            self.get_as(token, path).await
        };
        assert_eq!(reply.status, StatusCode::OK, "GET {path}: {}", reply.text);
        reply.header("etag").expect("an ETag").to_owned()
    }
}
