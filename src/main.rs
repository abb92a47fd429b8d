//! The `newsdesk` binary: the server and its operator commands.

use clap::{Parser, Subcommand};
use newsdesk::app::Application;
use newsdesk::audit::{Actor, Target};
use newsdesk::config::Config;
use newsdesk::domain::AuditAction;

#[derive(Debug, Parser)]
#[command(name = "newsdesk", version, about = "A headless news-content REST API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default): migrates the database, then listens on NEWSDESK_BIND.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (as committed in openapi/openapi.json).
    Openapi,
    /// Load the demo newsroom (a few dozen articles about North Korea, Russia
    /// and the G7, with topics, entities and comments) into an empty database.
    Demo,
    /// Write the whole newsroom to standard output as NDJSON, one JSON
    /// object per line, from one consistent snapshot.
    ///
    /// Line 1 is {"newsdesk_export":1}. Each further line is one record,
    /// {"type": "user"|"media"|"topic"|"entity"|"article"|"correction"|
    /// "old_slug"|"comment", …}, with its id, slug, version and timestamps,
    /// in an order that imports: users, media (each with its image file as
    /// base64 `data`, from the media store), topics (parents first),
    /// entities (with their aliases), articles (with topic_ids, entity_ids,
    /// featured_image_id and seo), corrections, old slugs, comments
    /// (parents first). Derived values (body_html, word counts,
    /// comment_count, the search index, image renditions) are left out and
    /// rebuilt; export → import → export gives the same bytes, and the
    /// imported image files are byte for byte the exported ones. Password
    /// hashes only with --with-secrets.
    Export {
        /// Include password hashes (left out by default).
        #[arg(long)]
        with_secrets: bool,
    },
    /// Read an NDJSON export (see `export --help`) into the database, all or
    /// nothing.
    ///
    /// The whole file is applied in one transaction: if any line is bad,
    /// nothing of the file is applied and the database stays as it was, so
    /// the fixed file can simply be run again. Every line is checked with
    /// the API's own rules; each bad field is reported as
    /// "line 12: `article.title`: must be 1 to 300 characters" (up to 20
    /// bad lines). References (an article's author_id, topic_ids and
    /// entity_ids, a comment's article_id, parent_id and user_id, a topic's
    /// parent_id) must name a record already in the database or earlier in
    /// the file. Users are matched by id and replaced; other records must
    /// be new. Writers of a running server wait while the import runs.
    Import {
        /// The export file, or - for standard input.
        file: String,
    },
    /// Manage staff accounts without the API (for the first admin).
    #[command(subcommand)]
    User(UserCommand),
    /// Read the audit log (as GET /api/v1/audit does).
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Write the audit log as NDJSON, oldest first: one entry per line, in
    /// the shape GET /api/v1/audit answers with ({id, at, user, action,
    /// target, request_id, client, detail?}).
    Export {
        /// Write to this file (replaced) instead of standard output.
        #[arg(long)]
        output: Option<String>,
        /// Only entries at or after this RFC 3339 time (2024-05-01T00:00:00Z).
        #[arg(long)]
        from: Option<String>,
        /// Only entries at or before this RFC 3339 time.
        #[arg(long)]
        to: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a staff account. The password is read from standard input
    /// (its first line), or asked for when standard input is a terminal.
    Create {
        /// The sign-in email, unique.
        #[arg(long)]
        email: String,
        /// admin, editor or author.
        #[arg(long, value_parser = ["admin", "editor", "author"])]
        role: String,
        /// The name shown on articles; default: the part of the email before @.
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Set the password of a staff account, e.g. one imported without
    /// --with-secrets, or to reset a forgotten one. The password (12 to 256
    /// characters) is read from standard input (its first line), or asked
    /// for when standard input is a terminal. A running server takes it at
    /// once; tokens already issued stay valid until they expire.
    SetPassword {
        /// The account's sign-in email (any case).
        #[arg(long)]
        email: String,
    },
    /// List staff accounts.
    List,
}

fn main() -> std::process::ExitCode {
    // A missing .env is normal; a broken one is worth a warning once logging is up.
    let dotenv = dotenvy::dotenv();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    if let Err(err) = dotenv
        && !err.not_found()
    {
        log::warn!("ignoring .env: {err}");
    }
    let cli = Cli::parse();
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(),
        Command::Migrate => migrate(),
        Command::Openapi => {
            print!("{}", newsdesk::openapi::spec_json());
            Ok(())
        }
        Command::User(UserCommand::Create {
            email,
            role,
            display_name,
        }) => create_user(&email, &role, display_name.as_deref()),
        Command::User(UserCommand::SetPassword { email }) => set_password(&email),
        Command::User(UserCommand::List) => list_users(),
        Command::Demo => demo(),
        Command::Export { with_secrets } => export(with_secrets),
        Command::Import { file } => import(&file),
        Command::Audit(AuditCommand::Export { output, from, to }) => {
            audit_export(output.as_deref(), from.as_deref(), to.as_deref())
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            log::error!("{err}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn serve() -> Result<(), String> {
    let config = Config::from_env().map_err(|err| err.to_string())?;
    actix_web::rt::System::new().block_on(async move {
        let bind = config.bind.clone();
        let database = config.database_path().to_owned();
        let app = Application::build(config)?;
        log::info!("newsdesk serving on http://{bind} (database {database}); docs at /swagger-ui/");
        app.run_until_stopped().await.map_err(|err| err.to_string())
    })
}

fn migrate() -> Result<(), String> {
    let config = Config::from_env().map_err(|err| err.to_string())?;
    let pool = open_database()?;
    drop(pool);
    log::info!("database {} is up to date", config.database_path());
    Ok(())
}

/// The database, migrated, every account with its author slug (as the
/// server's start leaves it, so that what a command reads or writes is
/// what the server would).
fn open_database() -> Result<newsdesk::db::DbPool, String> {
    let config = Config::from_env().map_err(|err| err.to_string())?;
    let pool = newsdesk::db::connect(config.database_path(), 1)
        .map_err(|err| newsdesk::store::error::chain(&err))?;
    newsdesk::app::give_slugs(&pool)?;
    Ok(pool)
}

/// The password from a prompt on a terminal, or the first line of stdin.
fn read_password() -> Result<String, String> {
    use std::io::{BufRead, IsTerminal};

    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|err| err.to_string())?;
        let again = rpassword::prompt_password("Again: ").map_err(|err| err.to_string())?;
        if first != again {
            return Err("the passwords differ".to_owned());
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|err| err.to_string())?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn create_user(email: &str, role: &str, display_name: Option<&str>) -> Result<(), String> {
    use newsdesk::domain::{Named, Role};

    let role = Role::from_name(role).ok_or("the role must be admin, editor or author")?;
    let display_name = display_name
        .map(str::to_owned)
        .unwrap_or_else(|| email.split('@').next().unwrap_or(email).to_owned());
    let password = read_password()?;
    let new = newsdesk::api::users::validated_new_user(email, &display_name, role, &password)
        .map_err(describe)?;
    let pool = open_database()?;
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    let user = newsdesk::db::write_transaction(&mut conn, |conn| {
        let user = newsdesk::store::users::create(conn, &new)?;
        Actor::cli().record(
            conn,
            AuditAction::UserCreated,
            Some(Target::User(user.id)),
            Some(serde_json::json!({"role": user.role})),
        )?;
        Ok::<_, newsdesk::error::ApiError>(user)
    })
    .map_err(describe)?;
    println!("created user {} <{}> ({})", user.id, user.email, user.role);
    Ok(())
}

fn set_password(email: &str) -> Result<(), String> {
    use newsdesk::store::users::{self, UserChanges};

    let pool = open_database()?;
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    let user = users::find_by_email(&mut conn, email.trim())
        .map_err(|err| err.to_string())?
        .ok_or_else(|| format!("no staff account has the email {email}"))?;
    let password = read_password()?;
    let hash = newsdesk::api::users::validated_password_hash(&password).map_err(describe)?;
    let changes = UserChanges {
        password_hash: Some(hash),
        ..UserChanges::default()
    };
    let user = newsdesk::db::write_transaction(&mut conn, |conn| {
        let user = users::update(conn, user.id, &changes)?;
        Actor::cli().record(
            conn,
            AuditAction::UserUpdated,
            Some(Target::User(user.id)),
            Some(serde_json::json!({"changed": ["password"]})),
        )?;
        Ok::<_, newsdesk::error::ApiError>(user)
    })
    .map_err(describe)?;
    println!("set the password of user {} <{}>", user.id, user.email);
    if !user.active {
        println!("the account is deactivated: it cannot sign in until an admin reactivates it");
    }
    Ok(())
}

fn list_users() -> Result<(), String> {
    use newsdesk::store::{PageRequest, users};

    let pool = open_database()?;
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    let (rows, _) = users::list(
        &mut conn,
        PageRequest {
            page: 1,
            per_page: i64::MAX / 2,
        },
    )
    .map_err(|err| describe(err.into()))?;
    println!(
        "{:>5}  {:<8}  {:<8}  {:<32}  display name",
        "id", "role", "active", "email"
    );
    for user in rows {
        println!(
            "{:>5}  {:<8}  {:<8}  {:<32}  {}",
            user.id,
            user.role,
            if user.active { "yes" } else { "no" },
            user.email,
            user.display_name
        );
    }
    Ok(())
}

/// An API error in words for the terminal.
fn describe(error: newsdesk::error::ApiError) -> String {
    let problem = error.problem();
    let fields: Vec<String> = problem
        .errors
        .iter()
        .map(|error| format!("{}: {}", error.field, error.message))
        .collect();
    if fields.is_empty() {
        problem.detail
    } else {
        fields.join("; ")
    }
}

/// A progress bar on a terminal, nothing otherwise (pipes and CI logs).
fn progress_bar(total: u64, unit: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;

    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} ({{eta}} left)");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

fn demo() -> Result<(), String> {
    let pool = open_database()?;
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    let config = Config::from_env().map_err(|err| err.to_string())?;
    let files = newsdesk::media::files::BlockingMediaFiles::open(&config)?;
    let summary = newsdesk::ops::demo::load(&mut conn, Some(&files)).map_err(describe)?;
    println!("{summary}");
    Ok(())
}

fn export(with_secrets: bool) -> Result<(), String> {
    use std::io::Write;

    let pool = open_database()?;
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    let total = newsdesk::ops::transfer::count_rows(&mut conn).map_err(|err| err.to_string())?;
    let bar = progress_bar(total, "records");
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let config = newsdesk::config::Config::from_env().map_err(|err| err.to_string())?;
    let files = newsdesk::media::files::BlockingMediaFiles::open(&config)?;
    let written =
        newsdesk::ops::transfer::export(&mut conn, &mut out, with_secrets, &files, &|n| {
            bar.inc(n)
        })?;
    out.flush().map_err(|err| err.to_string())?;
    bar.finish_and_clear();
    log::info!("exported {written} records");
    Ok(())
}

fn audit_export(output: Option<&str>, from: Option<&str>, to: Option<&str>) -> Result<(), String> {
    use std::io::Write;

    let pool = open_database()?;
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    let mut out: Box<dyn Write> = match output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|err| format!("cannot write {path}: {err}"))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let written = newsdesk::ops::audit::export(&mut conn, &mut out, from, to)?;
    out.flush().map_err(|err| err.to_string())?;
    log::info!("exported {written} audit log entries");
    Ok(())
}

fn import(file: &str) -> Result<(), String> {
    let pool = open_database()?;
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    let (reader, size): (Box<dyn std::io::BufRead>, u64) = if file == "-" {
        (Box::new(std::io::stdin().lock()), 0)
    } else {
        let handle =
            std::fs::File::open(file).map_err(|err| format!("cannot read {file}: {err}"))?;
        let size = handle.metadata().map(|meta| meta.len()).unwrap_or(0);
        (Box::new(std::io::BufReader::new(handle)), size)
    };
    let bar = progress_bar(size, "bytes");
    let config = newsdesk::config::Config::from_env().map_err(|err| err.to_string())?;
    let files = newsdesk::media::files::BlockingMediaFiles::open(&config)?;
    let imported = newsdesk::ops::transfer::import(&mut conn, reader, &files, &|n| bar.inc(n))
        .map_err(|err| {
            bar.finish_and_clear();
            format!("import failed; nothing was applied, the database is as it was:\n{err}")
        })?;
    bar.finish_and_clear();
    println!("imported {imported} records");
    Ok(())
}
