//! The `newsdesk` binary: the server and its operator commands.

use clap::{Parser, Subcommand};
use newsdesk::app::Application;
use newsdesk::config::Config;

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
    let pool = newsdesk::db::connect(config.database_path(), 1)?;
    drop(pool);
    log::info!("database {} is up to date", config.database_path());
    Ok(())
}
