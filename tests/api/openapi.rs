//! The spec is generated from the code; the committed copy must match it.

use crate::helpers::spawn_app;

const COMMITTED: &str = "openapi/openapi.json";

#[test]
fn the_committed_spec_matches_the_code() {
    let generated = newsdesk::openapi::spec_json();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(COMMITTED, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(COMMITTED).unwrap_or_default();
    assert!(
        committed == generated,
        "{COMMITTED} is out of date; regenerate it with: cargo run -q -- openapi > {COMMITTED}"
    );
}

#[tokio::test]
async fn the_server_serves_the_spec_and_swagger_ui() {
    let app = spawn_app().await;
    let spec = app.get("/api-docs/openapi.json").await;
    assert_eq!(spec.status, 200);
    assert_eq!(
        spec.json,
        serde_json::to_value(newsdesk::openapi::spec()).unwrap()
    );
    let ui = app.get("/swagger-ui/").await;
    assert_eq!(ui.status, 200);
    assert!(ui.text.contains("swagger"), "{}", ui.text);
    assert!(
        !ui.text.contains("cdn"),
        "Swagger UI is served from the binary"
    );
}

#[test]
fn every_operation_is_documented_with_a_summary_errors_and_examples() {
    let spec = serde_json::to_value(newsdesk::openapi::spec()).unwrap();
    let paths = spec["paths"].as_object().unwrap();
    for path in [
        "/api/v1/articles",
        "/api/v1/articles/{id_or_slug}",
        "/api/v1/topics",
        "/api/v1/topics/{id_or_slug}",
        "/api/v1/entities",
        "/api/v1/entities/{id_or_slug}",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(path), "{path} is missing");
    }
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            assert!(
                operation["summary"].is_string(),
                "{method} {path} has no summary"
            );
            assert!(operation["tags"].is_array(), "{method} {path} has no tag");
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|code| code.starts_with('2')),
                "{method} {path} has no success response"
            );
            assert!(
                responses.contains_key("500"),
                "{method} {path} does not document 500"
            );
            if path.contains('{') {
                assert!(
                    responses.contains_key("404"),
                    "{method} {path} does not document 404"
                );
            }
            if ["post", "put", "patch"].contains(&method.as_str()) {
                for code in ["413", "415", "422"] {
                    assert!(
                        responses.contains_key(code),
                        "{method} {path} does not document {code}"
                    );
                }
            }
        }
    }
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for name in [
        "Article",
        "ArticleListItem",
        "ArticleInput",
        "ArticlePatch",
        "Topic",
        "TopicInput",
        "Entity",
        "EntityInput",
        "Problem",
    ] {
        assert!(schemas.contains_key(name), "schema {name} is missing");
    }
    for name in [
        "ArticleListItem",
        "ArticleInput",
        "Topic",
        "Entity",
        "Problem",
    ] {
        assert!(
            schemas[name].get("example").is_some(),
            "schema {name} has no example"
        );
    }
}

/// Runs git in the checkout; `None` when this is not a git checkout (a
/// source tarball), where there is nothing to check.
fn git(args: &[&str]) -> Option<std::process::Output> {
    std::process::Command::new("git")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()
        .filter(|output| {
            output.status.success()
                || !String::from_utf8_lossy(&output.stderr).contains("not a git")
        })
}

#[test]
fn the_schemathesis_cache_is_ignored_not_committed() {
    let Some(tracked) = git(&["ls-files", "--", ".schemathesis"]) else {
        eprintln!("not a git checkout; skipped");
        return;
    };
    assert!(
        tracked.stdout.is_empty(),
        "the local .schemathesis cache is tracked: {}",
        String::from_utf8_lossy(&tracked.stdout)
    );
    let ignored = git(&[
        "check-ignore",
        "--no-index",
        "-q",
        ".schemathesis/default/cache/manifest.json",
    ])
    .expect("git ran once already");
    assert!(
        ignored.status.success(),
        ".schemathesis/ is not in .gitignore"
    );
}

fn spec_value() -> serde_json::Value {
    serde_json::to_value(newsdesk::openapi::spec()).unwrap()
}

/// Every operation of the spec: (method, path, operation).
fn operations(spec: &serde_json::Value) -> Vec<(String, String, serde_json::Value)> {
    let mut all = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            all.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    all
}

/// True when the property schema admits `null`.
fn is_nullable(property: &serde_json::Value) -> bool {
    let in_type = property["type"]
        .as_array()
        .is_some_and(|types| types.iter().any(|t| t == "null"));
    let in_one_of = property["oneOf"]
        .as_array()
        .is_some_and(|items| items.iter().any(|item| item["type"] == "null"));
    in_type || in_one_of
}

#[tokio::test]
async fn patch_fields_are_nullable_exactly_where_the_server_takes_null() {
    let app = spawn_app().await;
    app.article("Null patches", &[], &[]).await;
    app.entity("Null Land", "country").await;
    app.topic("Null Topics", None).await;
    let spec = spec_value();
    for (schema, path) in [
        ("ArticlePatch", "/api/v1/articles/null-patches"),
        ("EntityPatch", "/api/v1/entities/null-land"),
        ("TopicPatch", "/api/v1/topics/null-topics"),
    ] {
        let properties = spec["components"]["schemas"][schema]["properties"]
            .as_object()
            .unwrap();
        for (field, property) in properties {
            let reply = app.patch(path, &serde_json::json!({ field: null })).await;
            let refused = reply.status == 422 && reply.error_fields().contains(field);
            assert!(
                refused || reply.status == 200,
                "PATCH {path} {{{field}: null}}: {} {}",
                reply.status,
                reply.text
            );
            assert_eq!(
                is_nullable(property),
                !refused,
                "{schema}.{field}: the spec says nullable = {}, the server answers {} to null",
                is_nullable(property),
                reply.status
            );
        }
    }
    let title = &spec["components"]["schemas"]["ArticlePatch"]["properties"]["title"];
    assert_eq!(title["type"], "string", "{title}");
}

/// A compiled `pattern` of the spec (JSON Schema patterns search; ours are
/// anchored).
fn pattern(schema: &serde_json::Value) -> regex::Regex {
    let source = schema["pattern"]
        .as_str()
        .unwrap_or_else(|| panic!("no pattern in {schema}"));
    regex::RegexBuilder::new(source)
        .size_limit(1 << 28)
        .build()
        .unwrap()
}

fn matches_schema(schema: &serde_json::Value, value: &str) -> bool {
    let length = value.chars().count();
    let min_ok = schema["minLength"]
        .as_u64()
        .is_none_or(|min| length as u64 >= min);
    let max_ok = schema["maxLength"]
        .as_u64()
        .is_none_or(|max| length as u64 <= max);
    let pattern_ok = schema.get("pattern").is_none() || pattern(schema).is_match(value);
    min_ok && max_ok && pattern_ok
}

/// Values at the edges of the text rules: white space the server trims,
/// control characters inside and at the ends, lengths around `max`.
fn text_samples(max: usize) -> Vec<String> {
    let mut samples: Vec<String> = [
        "",
        " ",
        "  \t ",
        "a",
        " a ",
        "\ta\n",
        "a b",
        "a\nb",
        "a\tb",
        "a\r\nb",
        "\u{1}",
        "a\u{1}b",
        "a\u{7f}",
        "\u{7f}a",
        "a\u{85}b",
        "\u{85}a\u{85}",
        "\u{a0}a\u{3000}",
        "a\u{2028}",
        "\u{2028}a",
        "a\u{1c}",
        "\u{1c}a",
        "\u{b}a",
        "a\u{b}b",
        "\u{c}",
        "\u{b}",
        "é",
        "😀",
        "a\u{200b}",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    samples.push("x".repeat(max));
    samples.push("x".repeat(max + 1));
    samples.push(format!(" {} ", "x".repeat(max)));
    samples.push(format!("\n{}\t", "é".repeat(max)));
    samples.push(format!(" {} ", "😀".repeat(max + 1)));
    samples.push(" ".repeat(max + 1));
    samples
}

/// Whether the server takes `value` for `field`: any answer but a 422
/// naming the field (a 409 takes the value, which clashes with another).
fn takes(reply: &crate::helpers::Reply, field: &str) -> bool {
    assert!(
        reply.status.is_success() || reply.status == 422 || reply.status == 409,
        "{field}: {} {}",
        reply.status,
        reply.text
    );
    !(reply.status == 422 && reply.error_fields().iter().any(|f| f == field))
}

#[tokio::test]
async fn the_stated_text_rules_are_the_ones_the_server_applies() {
    let app = spawn_app().await;
    let article = app.article("Commented", &[], &[]).await;
    let spec = spec_value();
    let schemas = &spec["components"]["schemas"];
    let mut checked = 0;
    let mut check = |what: &str, schema: &serde_json::Value, value: &str, server: bool| {
        assert_eq!(
            matches_schema(schema, value),
            server,
            "{what} = {value:?}: the spec says {}, the server {}",
            matches_schema(schema, value),
            if server { "takes it" } else { "refuses it" }
        );
        checked += 1;
    };
    let article_input = &schemas["ArticleInput"]["properties"];
    for (field, max) in [("title", 300), ("subtitle", 500), ("summary", 1000)] {
        for value in text_samples(max) {
            let reply = app
                .post(
                    "/api/v1/articles",
                    &serde_json::json!({"title": "T", field: value}),
                )
                .await;
            check(field, &article_input[field], &value, takes(&reply, field));
        }
    }
    for value in text_samples(5) {
        let reply = app
            .post(
                "/api/v1/articles",
                &serde_json::json!({"title": "T", "body": value}),
            )
            .await;
        check(
            "body",
            &article_input["body"],
            &value,
            takes(&reply, "body"),
        );
    }
    let slugs = [
        "a",
        "g7",
        "1",
        "12-34",
        "1-a",
        "a-1",
        "a--b",
        "-a",
        "a-",
        "A",
        "a_b",
        "é",
        " a",
        "",
        &"a".repeat(120),
        &"a".repeat(121),
    ];
    for (index, value) in slugs.iter().enumerate() {
        let title = format!("Slug sample {index}");
        let reply = app
            .post(
                "/api/v1/articles",
                &serde_json::json!({"title": title, "slug": value}),
            )
            .await;
        check("slug", &article_input["slug"], value, takes(&reply, "slug"));
        // A topic of that slug, so that the list below meets no unknown slug.
        let topic = serde_json::json!({"name": title, "slug": value});
        let reply = app.post("/api/v1/topics", &topic).await;
        let topic_slug = &schemas["TopicInput"]["properties"]["slug"];
        check("topic slug", topic_slug, value, takes(&reply, "slug"));
        let reply = app
            .post(
                "/api/v1/articles",
                &serde_json::json!({"title": title, "topics": [value]}),
            )
            .await;
        let server = takes(&reply, "topics[0]");
        check("topics[]", &article_input["topics"]["items"], value, server);
    }
    let comment_body = &schemas["CommentInput"]["properties"]["body"];
    let comments = format!(
        "/api/v1/articles/{}/comments",
        article["slug"].as_str().unwrap()
    );
    for value in text_samples(5000) {
        let body = serde_json::json!({"author_name": "Reader", "author_email": "r@example.org", "body": value});
        let reply = app
            .json_as("", reqwest::Method::POST, &comments, &body)
            .await;
        check("comment body", comment_body, &value, takes(&reply, "body"));
    }
    let country_code = &schemas["EntityInput"]["properties"]["country_code"];
    let codes = [
        "kp", " Kr ", "", "  ", "K", "KPX", "k1", "ÄB", "\tjp\n", "F R",
    ];
    for (index, value) in codes.iter().enumerate() {
        let name = format!("Country {index}");
        let body = serde_json::json!({"name": name, "kind": "country", "country_code": value});
        let reply = app.post("/api/v1/entities", &body).await;
        check(
            "country_code",
            country_code,
            value,
            takes(&reply, "country_code"),
        );
    }
    let password = &schemas["UserInput"]["properties"]["password"];
    let passwords = [
        "x".repeat(11),
        "x".repeat(12),
        format!(" {} ", "x".repeat(10)),
        "é".repeat(12),
        "x".repeat(256),
        "x".repeat(257),
    ];
    for value in &passwords {
        let email = format!("user{}@newsroom.example", crate::helpers::next_number());
        let body = serde_json::json!({"email": email, "display_name": "U", "role": "author", "password": value});
        let reply = app.post("/api/v1/users", &body).await;
        check("password", password, value, takes(&reply, "password"));
    }
    let entity_q = spec["paths"]["/api/v1/entities"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "q")
        .unwrap()["schema"]
        .clone();
    for value in text_samples(100) {
        let url =
            reqwest::Url::parse_with_params(&app.url("/api/v1/entities"), [("q", &value)]).unwrap();
        let reply = app.send(app.client.get(url)).await;
        check("entities q", &entity_q, &value, takes(&reply, "q"));
    }
    assert!(checked > 250, "only {checked} samples checked");
}

#[test]
fn every_text_rule_is_written_into_the_spec() {
    let spec = spec_value();
    for (schema, property, _) in newsdesk::openapi::TEXT_RULES {
        let field = &spec["components"]["schemas"][schema]["properties"][property];
        let rule = if field["type"] == "array" || field["type"][0] == "array" {
            assert!(field["maxItems"].is_u64(), "{schema}.{property}: {field}");
            &field["items"]
        } else {
            field
        };
        assert!(
            rule["pattern"].is_string() || rule["maxLength"].is_u64(),
            "{schema}.{property} states no rule: {field}"
        );
        assert!(
            rule["description"].is_string() || field["description"].is_string(),
            "{schema}.{property} has no words for its rule"
        );
    }
    // Non-characters are refused like control characters.
    let title = &spec["components"]["schemas"]["ArticleInput"]["properties"]["title"];
    for refused in ["a\u{fffe}", "\u{ffff}", "a\u{fdd0}b", "a\u{fdef}"] {
        assert!(!matches_schema(title, refused), "{refused:?}");
    }
    assert!(matches_schema(title, "a\u{fdcf}\u{fdf0}\u{fffd}"));
    let password = &spec["components"]["schemas"]["UserPatch"]["properties"]["password"];
    assert_eq!(
        (&password["minLength"], &password["maxLength"]),
        (&serde_json::json!(12), &serde_json::json!(256))
    );
    let q = spec["paths"]["/api/v1/articles"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "q")
        .unwrap()
        .clone();
    assert_eq!(q["schema"]["maxLength"], 500, "{q}");
}

#[tokio::test]
async fn page_and_cursor_are_documented_as_exclusive_and_are() {
    let spec = spec_value();
    let parameters = spec["paths"]["/api/v1/articles"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .clone();
    let description = |name: &str| {
        parameters.iter().find(|p| p["name"] == name).unwrap()["description"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(
        description("page").contains("`cursor` (422"),
        "{}",
        description("page")
    );
    assert!(
        description("cursor").contains("`page` (422"),
        "{}",
        description("cursor")
    );
    let app = spawn_app().await;
    let reply = app.get("/api/v1/articles?page=1&cursor=00").await;
    reply.assert_problem(422);
    assert!(
        reply.error_fields().contains(&"page".to_owned()),
        "{}",
        reply.text
    );
}

#[tokio::test]
async fn a_readers_comment_documents_the_fields_it_requires() {
    let spec = spec_value();
    let input = &spec["components"]["schemas"]["CommentInput"];
    let description = input["description"].as_str().unwrap();
    assert!(
        description.contains("must send\n`author_name` and `author_email`")
            || description.contains("must send `author_name` and `author_email`"),
        "{description}"
    );
    let app = spawn_app().await;
    let article = app.article("Reply form", &[], &[]).await;
    let path = format!(
        "/api/v1/articles/{}/comments",
        article["slug"].as_str().unwrap()
    );
    let reply = app
        .json_as(
            "",
            reqwest::Method::POST,
            &path,
            &serde_json::json!({"body": "Hello"}),
        )
        .await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["author_email", "author_name"]);
}

/// The reason phrase the server puts in `title` (actix's canonical one).
fn reason(status: &str) -> &'static str {
    reqwest::StatusCode::from_bytes(status.as_bytes())
        .unwrap()
        .canonical_reason()
        .unwrap()
}

#[test]
fn every_problem_response_has_the_example_of_its_own_status() {
    let spec = spec_value();
    let mut statuses = std::collections::BTreeSet::new();
    for (method, path, operation) in operations(&spec) {
        for (status, response) in operation["responses"].as_object().unwrap() {
            let Some(content) = response["content"].get("application/problem+json") else {
                continue;
            };
            let example = &content["example"];
            assert_eq!(
                example["status"].as_u64().map(|s| s.to_string()).as_deref(),
                Some(status.as_str()),
                "{method} {path} {status}: {example}"
            );
            assert_eq!(example["title"], reason(status), "{method} {path} {status}");
            assert!(
                example["type"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("urn:newsdesk:problem:")),
                "{method} {path} {status}: {example}"
            );
            assert!(example["detail"].is_string(), "{method} {path} {status}");
            statuses.insert(status.clone());
        }
    }
    let expected = [
        "400", "401", "403", "404", "406", "409", "410", "412", "413", "415", "422", "429", "500",
        "503",
    ];
    assert_eq!(statuses.into_iter().collect::<Vec<_>>(), expected);
    let problem = &spec["components"]["schemas"]["Problem"]["example"];
    assert_eq!(problem["title"], reason(&problem["status"].to_string()));
}

#[tokio::test]
async fn the_documented_problem_titles_are_what_the_server_sends() {
    use reqwest::Method;
    let dir = tempfile::tempdir().unwrap();
    let config = newsdesk::config::Config {
        auth_rate_per_minute: 1,
        ..crate::helpers::test_config(&dir)
    };
    let app = crate::helpers::spawn_app_with(config, dir).await;
    app.topic("World", None).await;
    let spec = spec_value();
    let example_title = |status: &str| {
        for (_, _, operation) in operations(&spec) {
            let title = &operation["responses"][status]["content"]["application/problem+json"]["example"]
                ["title"];
            if let Some(title) = title.as_str() {
                return title.to_owned();
            }
        }
        panic!("no example for {status}")
    };
    let topics = "/api/v1/topics";
    let stale = app.client.patch(app.url("/api/v1/topics/world"));
    let replies = [
        ("400", app.get("/api/v1/articles?no_such_filter=1").await),
        ("401", app.get("/api/v1/auth/me").await),
        ("403", app.get("/api/v1/articles?status=draft").await),
        ("404", app.get("/api/v1/topics/no-such-topic").await),
        (
            "409",
            app.post(
                topics,
                &serde_json::json!({"name": "World", "slug": "world"}),
            )
            .await,
        ),
        (
            "412",
            app.send(
                stale
                    .bearer_auth(&app.admin_token)
                    .header("If-Match", "\"stale\"")
                    .json(&serde_json::json!({"name": "Earth"})),
            )
            .await,
        ),
        (
            "413",
            app.raw(
                Method::POST,
                topics,
                "application/json",
                "x".repeat(1 << 21),
            )
            .await,
        ),
        (
            "415",
            app.raw(Method::POST, topics, "text/plain", "World").await,
        ),
        (
            "422",
            app.post(topics, &serde_json::json!({"name": ""})).await,
        ),
        ("429", {
            let body = serde_json::json!({"email": "x@example.org", "password": "wrong password"});
            let token = "/api/v1/auth/token";
            app.json_as("", Method::POST, token, &body).await;
            app.json_as("", Method::POST, token, &body).await
        }),
    ];
    for (status, reply) in replies {
        let problem = reply.assert_problem(status.parse().unwrap());
        assert_eq!(
            problem["title"],
            example_title(status),
            "{status}: {}",
            reply.text
        );
    }
    for status in ["500", "503"] {
        assert_eq!(example_title(status), reason(status));
    }
}

#[test]
fn optional_query_parameters_prefill_nothing_in_swagger_ui() {
    let spec = spec_value();
    for (method, path, operation) in operations(&spec) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] != "query" || parameter["required"] == true {
                continue;
            }
            let name = &parameter["name"];
            for holder in [parameter, &parameter["schema"]] {
                for key in ["example", "examples", "default"] {
                    assert!(
                        holder.get(key).is_none(),
                        "{method} {path} ?{name} has {key}: Swagger UI would send it"
                    );
                }
            }
        }
    }
    let list = operations(&spec)
        .into_iter()
        .find(|(_, _, operation)| operation["operationId"] == "list_articles")
        .unwrap()
        .2;
    let q = list["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "q")
        .unwrap()
        .clone();
    assert!(
        q["description"].as_str().unwrap().contains("Example: `"),
        "{q}"
    );
    assert_eq!(
        spec["components"]["schemas"]["TokenRequest"]["example"],
        serde_json::json!({"email": "admin@newsroom.example", "password": "correct horse battery staple"}),
        "the sign-in example is the README's admin"
    );
}

#[tokio::test]
async fn the_spec_passes_the_linters_recommended_rules() {
    let spec = spec_value();
    assert_eq!(spec["info"]["license"]["identifier"], "MIT OR Apache-2.0");
    assert_eq!(spec["servers"][0]["url"], "/", "{}", spec["servers"]);
    for (method, path, operation) in operations(&spec) {
        let security = operation["security"].as_array();
        assert!(
            security.is_some_and(|s| !s.is_empty()),
            "{method} {path} states no security"
        );
        let responses = operation["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|status| status.starts_with('4')),
            "{method} {path} documents no 4xx"
        );
        if !operation["security"].to_string().contains("bearer") {
            assert_eq!(
                operation["security"],
                serde_json::json!([{}]),
                "{method} {path}"
            );
        }
    }
    // The 4xx the health checks and the feed document is real.
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz", "/feeds/articles.atom"] {
        let request = app
            .client
            .get(app.url(path))
            .header("Accept-Encoding", "identity;q=0");
        let reply = app.send(request).await;
        assert_eq!(reply.status, 406, "{path}: {}", reply.text);
        let documented = &spec["paths"][path]["get"]["responses"];
        assert!(documented.get("406").is_some(), "{path}: {documented}");
    }
}

#[test]
fn pages_refer_to_their_item_schema() {
    let spec = spec_value();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let pages: Vec<&String> = schemas.keys().filter(|n| n.starts_with("Page_")).collect();
    assert!(pages.len() >= 6, "{pages:?}");
    for name in pages {
        let item = name.trim_start_matches("Page_");
        assert!(schemas.contains_key(item), "{name}: no component {item}");
        assert_eq!(
            schemas[name]["properties"]["data"]["items"],
            serde_json::json!({"$ref": format!("#/components/schemas/{item}")}),
            "{name}"
        );
    }
    for (path, media_type, schema) in [
        ("/feeds/articles.atom", "application/atom+xml", "string"),
        (
            "/feeds/topics/{slug}.atom",
            "application/atom+xml",
            "string",
        ),
        (
            "/feeds/entities/{slug}.atom",
            "application/atom+xml",
            "string",
        ),
        ("/feeds/articles.rss", "application/rss+xml", "string"),
        ("/feeds/topics/{slug}.rss", "application/rss+xml", "string"),
        (
            "/feeds/entities/{slug}.rss",
            "application/rss+xml",
            "string",
        ),
        ("/feeds/articles.json", "application/feed+json", "object"),
        (
            "/feeds/topics/{slug}.json",
            "application/feed+json",
            "object",
        ),
        (
            "/feeds/entities/{slug}.json",
            "application/feed+json",
            "object",
        ),
    ] {
        let content = &spec["paths"][path]["get"]["responses"]["200"]["content"];
        let only: Vec<&String> = content.as_object().unwrap().keys().collect();
        assert_eq!(only, [media_type], "{path}");
        assert_eq!(content[media_type]["schema"]["type"], schema, "{path}");
        assert!(
            content[media_type]["example"].is_string()
                || content[media_type]["example"].is_object(),
            "{path}: an example"
        );
    }
}
