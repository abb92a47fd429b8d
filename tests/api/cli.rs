//! The binary as an operator uses it.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::{spawn_app_with, test_config};

fn newsdesk(database: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsdesk"));
    command
        .env("DATABASE_URL", database)
        .env("RUST_LOG", "warn");
    command
}

#[tokio::test]
async fn user_create_reads_the_password_from_stdin_and_the_account_can_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir
        .path()
        .join("newsdesk.db")
        .to_string_lossy()
        .into_owned();
    let mut child = newsdesk(&database)
        .args([
            "user",
            "create",
            "--email",
            "chief@newsroom.example",
            "--role",
            "admin",
            "--display-name",
            "The Chief",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a strong cli password\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("chief@newsroom.example"));

    let listed = newsdesk(&database).args(["user", "list"]).output().unwrap();
    let listing = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listing.contains("chief@newsroom.example") && listing.contains("admin"),
        "{listing}"
    );
    assert!(!listing.contains("argon2"));

    let mut config = test_config(&dir);
    config.bootstrap_admin = Some((
        "chief@newsroom.example".to_owned(),
        "a strong cli password".to_owned(),
    ));
    let app = spawn_app_with(config, dir).await;
    let me = app.admin_get("/api/v1/auth/me").await;
    assert_eq!(
        me.json["display_name"], "The Chief",
        "the bootstrap did not add a second admin"
    );
}

#[test]
fn user_create_refuses_a_short_password_and_a_taken_email() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir
        .path()
        .join("newsdesk.db")
        .to_string_lossy()
        .into_owned();
    let run = |email: &str, password: &str| {
        let mut child = newsdesk(&database)
            .args(["user", "create", "--email", email, "--role", "editor"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let short = run("a@newsroom.example", "short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));
    assert!(
        run("a@newsroom.example", "long enough password")
            .status
            .success()
    );
    let taken = run("A@newsroom.example", "long enough password");
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("email"));
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["migrate", "--help"],
        vec!["openapi", "--help"],
        vec!["user", "--help"],
        vec!["user", "create", "--help"],
        vec!["user", "list", "--help"],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
            .args(&args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

fn run_ok(command: &mut Command) -> Vec<u8> {
    let output = command.output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

#[tokio::test]
async fn the_demo_loads_and_is_browsable() {
    let dir = tempfile::tempdir().unwrap();
    let database = dir
        .path()
        .join("newsdesk.db")
        .to_string_lossy()
        .into_owned();
    let said = String::from_utf8(run_ok(newsdesk(&database).arg("demo"))).unwrap();
    assert!(said.contains("articles"), "{said}");
    let again = newsdesk(&database).arg("demo").output().unwrap();
    assert!(
        !again.status.success(),
        "the demo goes into an empty database only"
    );

    let app = spawn_app_with(test_config(&dir), dir).await;
    let articles = app.get("/api/v1/articles?entity=north-korea").await;
    assert!(
        articles.json["meta"]["total"].as_i64().unwrap() >= 10,
        "{}",
        articles.text
    );
    let all = app.admin_get("/api/v1/articles?per_page=100").await;
    let statuses: std::collections::BTreeSet<&str> = all.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["archived", "draft", "published", "scheduled"]
    );
    let comments = app.admin_get("/api/v1/comments?per_page=100").await;
    let statuses: std::collections::BTreeSet<&str> = comments.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["approved", "pending", "rejected", "spam"]
    );
    assert!(
        app.get("/api/v1/articles?q=DPRK").await.json["meta"]["total"]
            .as_i64()
            .unwrap()
            > 0
    );
    let countries = app.get("/api/v1/entities?kind=country").await;
    assert!(countries.json["meta"]["total"].as_i64().unwrap() >= 10);
    let feed = app.get("/feeds/entities/north-korea.atom").await;
    assert!(
        feed.text
            .parse::<atom_syndication::Feed>()
            .unwrap()
            .entries()
            .len()
            >= 5
    );
}

#[test]
fn export_then_import_then_export_gives_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.db").to_string_lossy().into_owned();
    let second = dir.path().join("second.db").to_string_lossy().into_owned();
    run_ok(newsdesk(&first).arg("demo"));
    let exported = run_ok(newsdesk(&first).arg("export"));
    let text = String::from_utf8(exported.clone()).unwrap();
    assert!(text.starts_with("{\"newsdesk_export\":1}\n"));
    assert!(!text.contains("argon2"), "no secrets unless asked");
    let file = dir.path().join("dump.ndjson");
    std::fs::write(&file, &exported).unwrap();
    run_ok(newsdesk(&second).args(["import", file.to_str().unwrap()]));
    let again = run_ok(newsdesk(&second).arg("export"));
    assert!(
        exported == again,
        "export → import → export changed the file"
    );
}

/// Replaces the value of a top-level, non-last `field` of an NDJSON line.
fn set_field(line: &mut String, field: &str, value: &str) {
    let key = format!("\"{field}\":");
    let start = line.find(&key).unwrap() + key.len();
    let end = start + line[start..].find(',').unwrap();
    line.replace_range(start..end, value);
}

#[test]
fn a_bad_line_stops_the_import_with_its_number_and_rolls_its_batch_back() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source.db").to_string_lossy().into_owned();
    let target = dir.path().join("target.db").to_string_lossy().into_owned();
    run_ok(newsdesk(&source).arg("demo"));
    let exported = String::from_utf8(run_ok(newsdesk(&source).arg("export"))).unwrap();
    let mut lines: Vec<String> = exported.lines().map(str::to_owned).collect();
    // Break a line near the end: an article that points at a missing author.
    let broken = lines
        .iter()
        .rposition(|line| line.contains("\"type\":\"article\""))
        .unwrap();
    let original = lines.clone();
    set_field(&mut lines[broken], "author_id", "9999");
    let file = dir.path().join("broken.ndjson");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let output = newsdesk(&target)
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(&format!("line {}", broken + 1)), "{stderr}");
    // The whole file fits in one batch, so nothing of it was applied.
    let after = String::from_utf8(run_ok(newsdesk(&target).arg("export"))).unwrap();
    assert_eq!(
        after
            .lines()
            .filter(|line| line.contains("\"type\":\"article\""))
            .count(),
        0,
        "{after}"
    );

    let mut garbage = lines.clone();
    garbage[broken] = "{not json".to_owned();
    std::fs::write(&file, garbage.join("\n") + "\n").unwrap();
    let output = newsdesk(&target)
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&output.stderr).contains(&format!("line {}", broken + 1)));

    // A published article without its publication time.
    let mut undated = original;
    let published = undated
        .iter()
        .position(|line| line.contains("\"status\":\"published\""))
        .unwrap();
    set_field(&mut undated[published], "published_at", "null");
    std::fs::write(&file, undated.join("\n") + "\n").unwrap();
    let output = newsdesk(&target)
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains(&format!("line {}", published + 1)),
        "{stderr}"
    );
    assert!(stderr.contains("published_at"), "{stderr}");
}
