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
