use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_and_readyz_answer_ok() {
    let app = spawn_app().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json["status"], "ok");
    let backend = if crate::helpers::on_postgres() {
        "postgres"
    } else {
        "sqlite"
    };
    assert_eq!(ready.json["backend"], backend);
    let version = ready.json["schema_version"].as_str().unwrap();
    let migrations = if crate::helpers::on_postgres() {
        "migrations/postgres"
    } else {
        "migrations/sqlite"
    };
    let newest = std::fs::read_dir(migrations)
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .max()
        .unwrap();
    assert_eq!(
        version,
        newest.split('_').next().unwrap().replace('-', ""),
        "the newest migration is applied"
    );
}

#[tokio::test]
async fn the_database_file_is_created_and_migrated_at_start() {
    let app = spawn_app().await;
    if !crate::helpers::on_postgres() {
        assert!(std::path::Path::new(&app.db_path).exists());
    }
    // The migrated schema answers: an empty list, not an error.
    let reply = app.get("/api/v1/articles").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["meta"]["total"], 0);
}

#[test]
fn every_connection_gets_the_pragmas() {
    use diesel::prelude::*;
    use diesel::sql_types::{BigInt, Text};

    #[derive(QueryableByName)]
    struct Number {
        #[diesel(sql_type = BigInt)]
        value: i64,
    }
    #[derive(QueryableByName)]
    struct Word {
        #[diesel(sql_type = Text)]
        value: String,
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pragmas.db");
    let pool = newsdesk::db::connect(path.to_str().unwrap(), 2).unwrap();
    let mut conn = pool.get().unwrap();
    let number = |conn: &mut newsdesk::db::Conn, pragma: &str| {
        // Table-valued pragmas name their one column after the pragma,
        // except busy_timeout, whose column is "timeout".
        let column = if pragma == "busy_timeout" {
            "timeout"
        } else {
            pragma
        };
        diesel::sql_query(format!("SELECT {column} AS value FROM pragma_{pragma}"))
            .get_result::<Number>(conn)
            .unwrap()
            .value
    };
    let mode: Word = diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(mode.value, "wal");
    assert_eq!(number(&mut conn, "foreign_keys"), 1);
    assert_eq!(number(&mut conn, "synchronous"), 1, "NORMAL");
    assert_eq!(number(&mut conn, "busy_timeout"), 5000);
    assert_eq!(number(&mut conn, "cache_size"), -2048, "2 MiB");
    assert_eq!(number(&mut conn, "soft_heap_limit"), 8 * 1024 * 1024);
}

#[test]
fn defaults_serve_newsdesk_db_on_port_8080() {
    let config = newsdesk::config::Config::default();
    assert_eq!(config.database_path(), "newsdesk.db");
    assert_eq!(config.bind, "127.0.0.1:8080");
    assert_eq!(config.body_limit, 1024 * 1024);
    let prefixed = newsdesk::config::Config {
        database_url: "sqlite://data/news.db".to_owned(),
        ..config
    };
    assert_eq!(prefixed.database_path(), "data/news.db");
}
