//! A table of hostile and malformed requests across the API: every one is
//! a 4xx problem, the server stays up, and nothing stored changes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{JWT_SECRET, TestApp, base64_url, signed, spawn_app};

enum Who {
    Nobody,
    Admin,
    AuthorA,
    AuthorB,
    Token(String),
}

enum Body {
    Empty,
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

struct Case {
    name: &'static str,
    method: Method,
    path: String,
    who: Who,
    body: Body,
    expect: &'static [u16],
    if_match: Option<&'static str>,
}

fn case(
    name: &'static str,
    method: Method,
    path: impl Into<String>,
    who: Who,
    body: Body,
    expect: &'static [u16],
) -> Case {
    Case {
        name,
        method,
        path: path.into(),
        who,
        body,
        expect,
        if_match: None,
    }
}

/// Everything an admin can read: if any of it changes, a hostile request
/// changed stored data.
async fn snapshot(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    for path in [
        "/api/v1/articles?per_page=100",
        "/api/v1/topics?per_page=100",
        "/api/v1/entities?per_page=100",
        "/api/v1/comments?per_page=100",
        "/api/v1/users?per_page=100",
    ] {
        let reply = app.admin_get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        all.push(reply.json);
    }
    all
}

fn now() -> u64 {
    jsonwebtoken::get_current_timestamp()
}

#[tokio::test]
async fn hostile_requests_are_4xx_problems_and_change_nothing() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.entity("G7", "organisation").await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Summit", "status": "published", "topics": ["world"]}),
    )
    .await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Closed", "status": "published", "comments_open": false}),
    )
    .await;
    let (_, author_a) = app.staff("author").await;
    let (_, author_b) = app.staff("author").await;
    let draft = app
        .json_as(
            &author_a,
            Method::POST,
            "/api/v1/articles",
            &json!({"title": "A draft"}),
        )
        .await;
    assert_eq!(draft.status, 201);
    app.post(
        "/api/v1/articles/summit/comments",
        &json!({"body": "Staff note"}),
    )
    .await;
    let before = snapshot(&app).await;

    let nested = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
    let claims =
        json!({"sub": "2", "role": "admin", "iat": now(), "exp": now() + 600, "iss": "newsdesk"});
    let alg_none = format!(
        "{}.{}.",
        base64_url(r#"{"alg":"none","typ":"JWT"}"#),
        base64_url(&claims.to_string())
    );
    let tampered = {
        let token = signed(claims.clone(), JWT_SECRET);
        let parts: Vec<&str> = token.split('.').collect();
        format!("{}.{}.{}", parts[0], base64_url(&json!({"sub": "1", "role": "admin", "iat": now(), "exp": now() + 600, "iss": "newsdesk"}).to_string()), parts[2])
    };
    let expired = signed(
        json!({"sub": "2", "role": "admin", "iat": now() - 7200, "exp": now() - 3600, "iss": "newsdesk"}),
        JWT_SECRET,
    );
    let big = "x".repeat(100 * 1024);
    let long_slug = "a".repeat(10 * 1024);
    let json = "application/json";
    use Body::{Empty, Json, Raw};
    use Who::{Admin, AuthorA, AuthorB, Nobody, Token};

    let mut cases = vec![
        case(
            "broken JSON",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Raw(json, b"{\"title\": ".to_vec()),
            &[400],
        ),
        case(
            "deeply nested JSON",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Raw(json, nested.into_bytes()),
            &[400, 422],
        ),
        case(
            "object for a string",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Json(json!({"title": {"a": {"b": {"c": 1}}}})),
            &[422],
        ),
        case(
            "number for a string",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Json(json!({"title": 123})),
            &[422],
        ),
        case(
            "array for a string",
            Method::POST,
            "/api/v1/topics",
            Admin,
            Json(json!({"name": []})),
            &[422],
        ),
        case(
            "string for a list",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Json(json!({"title": "T", "topics": "world"})),
            &[422],
        ),
        case(
            "huge number",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Raw(
                json,
                b"{\"title\": \"T\", \"comments_open\": 1e999}".to_vec(),
            ),
            &[400, 422],
        ),
        case(
            "id beyond i32",
            Method::PATCH,
            "/api/v1/articles/summit",
            Admin,
            Raw(json, b"{\"author_id\": 99999999999999999999}".to_vec()),
            &[400, 422],
        ),
        case(
            "negative page",
            Method::GET,
            "/api/v1/articles?page=-5",
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "zero page",
            Method::GET,
            "/api/v1/articles?page=0",
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "zero per_page",
            Method::GET,
            "/api/v1/articles?per_page=0",
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "per_page over 100",
            Method::GET,
            "/api/v1/topics?per_page=101",
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "per_page beyond i64",
            Method::GET,
            "/api/v1/entities?per_page=99999999999999999999",
            Nobody,
            Empty,
            &[400],
        ),
        case(
            "page not a number",
            Method::GET,
            "/api/v1/articles?page=abc",
            Nobody,
            Empty,
            &[400],
        ),
        case(
            "100 KB title",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Json(json!({"title": big})),
            &[422],
        ),
        case(
            "100 KB topic name",
            Method::POST,
            "/api/v1/topics",
            Admin,
            Json(json!({"name": big})),
            &[422],
        ),
        case(
            "100 KB comment",
            Method::POST,
            "/api/v1/articles/summit/comments",
            Nobody,
            Json(json!({"author_name": "R", "author_email": "r@example.org", "body": big})),
            &[422],
        ),
        case(
            "10 KB slug in the path",
            Method::GET,
            format!("/api/v1/articles/{long_slug}"),
            Nobody,
            Empty,
            &[404],
        ),
        case(
            "NUL in a title",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Json(json!({"title": "a\u{0}b"})),
            &[422],
        ),
        case(
            "NUL in a name",
            Method::POST,
            "/api/v1/entities",
            Admin,
            Json(json!({"name": "\u{0}", "kind": "place"})),
            &[422],
        ),
        case(
            "invalid UTF-8",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Raw(
                json,
                [b"{\"title\": \"".as_slice(), &[0xff, 0xfe], b"\"}"].concat(),
            ),
            &[400],
        ),
        case(
            "SQL in a topic filter",
            Method::GET,
            "/api/v1/articles?topic=x'%20OR%201=1--",
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "SQL in a slug",
            Method::GET,
            "/api/v1/articles/'%20OR%201=1--",
            Nobody,
            Empty,
            &[404],
        ),
        case(
            "SQL in an entity slug",
            Method::GET,
            "/api/v1/entities/1;DROP%20TABLE%20entities",
            Nobody,
            Empty,
            &[404],
        ),
        case(
            "FTS star only",
            Method::GET,
            "/api/v1/articles?q=*",
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "FTS quotes only",
            Method::GET,
            "/api/v1/articles?q=%22%22",
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "FTS minus only",
            Method::GET,
            "/api/v1/articles?q=-",
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "FTS query too long",
            Method::GET,
            format!("/api/v1/articles?q={}", "a%20".repeat(300)),
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "path traversal",
            Method::GET,
            "/api/v1/articles/..%2F..%2Fetc%2Fpasswd",
            Nobody,
            Empty,
            &[404],
        ),
        case(
            "path traversal in a feed",
            Method::GET,
            "/feeds/topics/..%2F..%2Fetc.atom",
            Nobody,
            Empty,
            &[404],
        ),
        case(
            "dot segments",
            Method::GET,
            "/api/v1/../../etc/passwd",
            Nobody,
            Empty,
            &[404],
        ),
        case(
            "XSS in a path",
            Method::GET,
            "/api/v1/articles/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            Nobody,
            Empty,
            &[404],
        ),
        case(
            "XSS as a slug",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Json(json!({"title": "T", "slug": "<script>alert(1)</script>"})),
            &[422],
        ),
        case(
            "traversal as a slug",
            Method::POST,
            "/api/v1/topics",
            Admin,
            Json(json!({"name": "T", "slug": "../../etc"})),
            &[422],
        ),
        case(
            "XSS in a website",
            Method::POST,
            "/api/v1/entities",
            Admin,
            Json(json!({"name": "X", "kind": "place", "website": "javascript:alert(1)"})),
            &[422],
        ),
        case(
            "XSS in a comment URL",
            Method::POST,
            "/api/v1/articles/summit/comments",
            Nobody,
            Json(
                json!({"author_name": "R", "author_email": "r@example.org", "author_url": "javascript:alert(1)", "body": "x"}),
            ),
            &[422],
        ),
        case(
            "body over 1 MiB",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Raw(
                json,
                format!("{{\"title\": \"{}\"}}", "a".repeat(2 * 1024 * 1024)).into_bytes(),
            ),
            &[413],
        ),
        case(
            "unknown field",
            Method::POST,
            "/api/v1/topics",
            Admin,
            Json(json!({"name": "T", "admin": true})),
            &[422],
        ),
        case(
            "mass assignment of author",
            Method::POST,
            "/api/v1/articles",
            AuthorA,
            Json(json!({"title": "T", "author": {"id": 2}})),
            &[422],
        ),
        case(
            "duplicate keys",
            Method::POST,
            "/api/v1/topics",
            Admin,
            Raw(json, br#"{"name": "A", "name": "B"}"#.to_vec()),
            &[422],
        ),
        case(
            "text/plain body",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Raw("text/plain", br#"{"title": "T"}"#.to_vec()),
            &[415],
        ),
        case(
            "form body",
            Method::POST,
            "/api/v1/topics",
            Admin,
            Raw("application/x-www-form-urlencoded", b"name=T".to_vec()),
            &[415],
        ),
        case(
            "XML body",
            Method::PUT,
            "/api/v1/topics/world",
            Admin,
            Raw("application/xml", b"<topic/>".to_vec()),
            &[415],
        ),
        case(
            "empty JSON body",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Raw(json, Vec::new()),
            &[400],
        ),
        case(
            "JSON null",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Raw(json, b"null".to_vec()),
            &[422],
        ),
        case(
            "trailing garbage",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Raw(json, br#"{"title": "T"} {"title": "U"}"#.to_vec()),
            &[400],
        ),
        case(
            "unknown status",
            Method::POST,
            "/api/v1/articles",
            Admin,
            Json(json!({"title": "T", "status": "live"})),
            &[422],
        ),
        case(
            "PUT on a list",
            Method::PUT,
            "/api/v1/articles",
            Admin,
            Json(json!({})),
            &[405],
        ),
        case(
            "DELETE on a list",
            Method::DELETE,
            "/api/v1/topics",
            Admin,
            Empty,
            &[405],
        ),
        case(
            "PATCH on health",
            Method::PATCH,
            "/healthz",
            Nobody,
            Empty,
            &[405],
        ),
        case(
            "POST on a feed",
            Method::POST,
            "/feeds/articles.atom",
            Nobody,
            Empty,
            &[405],
        ),
        case(
            "alg none token",
            Method::GET,
            "/api/v1/auth/me",
            Token(alg_none),
            Empty,
            &[401],
        ),
        case(
            "tampered token",
            Method::DELETE,
            "/api/v1/topics/world",
            Token(tampered),
            Empty,
            &[401],
        ),
        case(
            "expired token",
            Method::POST,
            "/api/v1/topics",
            Token(expired),
            Json(json!({"name": "T"})),
            &[401],
        ),
        case(
            "garbage token",
            Method::PATCH,
            "/api/v1/articles/summit",
            Token("garbage".into()),
            Json(json!({"title": "x"})),
            &[401],
        ),
        case(
            "8 KB token",
            Method::GET,
            "/api/v1/auth/me",
            Token("a".repeat(8 * 1024)),
            Empty,
            &[401],
        ),
        case(
            "another author's article",
            Method::PATCH,
            "/api/v1/articles/a-draft",
            AuthorB,
            Json(json!({"title": "Mine now"})),
            &[403],
        ),
        case(
            "another author's draft deleted",
            Method::DELETE,
            "/api/v1/articles/a-draft",
            AuthorB,
            Empty,
            &[403],
        ),
        case(
            "another author's draft read",
            Method::GET,
            "/api/v1/articles/a-draft",
            AuthorB,
            Empty,
            &[404],
        ),
        case(
            "a draft read anonymously",
            Method::GET,
            "/api/v1/articles/a-draft",
            Nobody,
            Empty,
            &[404],
        ),
        case(
            "staff list as an author",
            Method::GET,
            "/api/v1/users",
            AuthorA,
            Empty,
            &[403],
        ),
        case(
            "promotion by an author",
            Method::PATCH,
            "/api/v1/users/3",
            AuthorA,
            Json(json!({"role": "admin"})),
            &[403],
        ),
        case(
            "topic by an author",
            Method::POST,
            "/api/v1/topics",
            AuthorA,
            Json(json!({"name": "T"})),
            &[403],
        ),
        case(
            "moderation by an author",
            Method::PATCH,
            "/api/v1/comments/1",
            AuthorA,
            Json(json!({"status": "spam"})),
            &[403],
        ),
        case(
            "comment on a closed article",
            Method::POST,
            "/api/v1/articles/closed/comments",
            Nobody,
            Json(json!({"author_name": "R", "author_email": "r@example.org", "body": "x"})),
            &[403],
        ),
        case(
            "reply to nothing",
            Method::POST,
            "/api/v1/articles/summit/comments",
            Nobody,
            Json(
                json!({"author_name": "R", "author_email": "r@example.org", "body": "x", "parent_id": 99999}),
            ),
            &[422],
        ),
        case(
            "forged cursor",
            Method::GET,
            "/api/v1/articles?cursor=deadbeef",
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "impossible date",
            Method::GET,
            "/api/v1/articles?from=2024-13-45",
            Nobody,
            Empty,
            &[422],
        ),
        case(
            "unknown kind",
            Method::GET,
            "/api/v1/articles?kind=planet",
            Nobody,
            Empty,
            &[400],
        ),
        case(
            "unknown sort",
            Method::GET,
            "/api/v1/articles?sort=random()",
            Nobody,
            Empty,
            &[400],
        ),
        case(
            "unpublished status anonymously",
            Method::GET,
            "/api/v1/articles?status=draft",
            Nobody,
            Empty,
            &[403],
        ),
        case(
            "topic cycle",
            Method::PATCH,
            "/api/v1/topics/world",
            Admin,
            Json(json!({"parent": "world"})),
            &[422],
        ),
        case(
            "country code on a body",
            Method::POST,
            "/api/v1/entities",
            Admin,
            Json(json!({"name": "X", "kind": "organisation", "country_code": "XX"})),
            &[422],
        ),
        case(
            "short password",
            Method::POST,
            "/api/v1/users",
            Admin,
            Json(
                json!({"email": "x@example.org", "display_name": "X", "role": "admin", "password": "short"}),
            ),
            &[422],
        ),
        case(
            "sign-in without a password",
            Method::POST,
            "/api/v1/auth/token",
            Nobody,
            Json(json!({"email": "x@example.org"})),
            &[422],
        ),
        case(
            "user id not a number",
            Method::GET,
            "/api/v1/users/one",
            Admin,
            Empty,
            &[400],
        ),
        case(
            "last admin deactivated",
            Method::DELETE,
            "/api/v1/users/2",
            Admin,
            Empty,
            &[409],
        ),
    ];
    let mut stale = case(
        "stale If-Match",
        Method::PATCH,
        "/api/v1/articles/summit",
        Admin,
        Json(json!({"title": "Overwritten"})),
        &[412],
    );
    stale.if_match = Some("\"article-1-v0-c0\"");
    cases.push(stale);
    assert!(cases.len() >= 60, "{} cases", cases.len());

    for case in &cases {
        let mut request = app.client.request(case.method.clone(), app.url(&case.path));
        request = match &case.who {
            Nobody => request,
            Admin => request.bearer_auth(&app.admin_token),
            AuthorA => request.bearer_auth(&author_a),
            AuthorB => request.bearer_auth(&author_b),
            Token(token) => request.bearer_auth(token),
        };
        if let Some(tag) = case.if_match {
            request = request.header("if-match", tag);
        }
        request = match &case.body {
            Empty => request,
            Json(value) => request.json(value),
            Raw(content_type, bytes) => request
                .header("content-type", *content_type)
                .body(bytes.clone()),
        };
        let reply = app.send(request).await;
        assert!(
            case.expect.contains(&reply.status.as_u16()),
            "{}: {} {}",
            case.name,
            reply.status,
            reply.text
        );
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json"),
            "{}: {}",
            case.name,
            reply.text
        );
        assert_eq!(reply.json["status"], reply.status.as_u16(), "{}", case.name);
    }
    assert_eq!(
        app.get("/readyz").await.status,
        200,
        "the server is still up"
    );
    assert_eq!(
        snapshot(&app).await,
        before,
        "a hostile request changed stored data"
    );
}
