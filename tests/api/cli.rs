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
