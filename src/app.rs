//! Builds the server: state, routes, middleware, Swagger UI, and the
//! problem+json answers for what actix itself rejects. Shared by `main`
//! and the tests.

use std::net::TcpListener;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::{Compress, ErrorHandlerResponse, ErrorHandlers, Logger, Next, from_fn};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, ResponseError, web};
use futures_util::FutureExt;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::Answers;
use crate::auth::token::TokenKeys;
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::error::{ApiError, PROBLEM_JSON};
use crate::openapi;
use crate::rate_limit::RateLimit;
use crate::state::AppState;

/// The documented paths and their methods, to tell a 405 from a 404.
pub struct RouteTable(Vec<(Vec<Option<String>>, Vec<String>)>);

impl RouteTable {
    fn from_spec(api: &utoipa::openapi::OpenApi) -> RouteTable {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                // `None` stands for a `{parameter}` segment.
                let segments = path
                    .split('/')
                    .map(|segment| (!segment.starts_with('{')).then(|| segment.to_owned()))
                    .collect();
                let methods = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(method, _)| method.to_owned())
                .collect();
                (segments, methods)
            })
            .collect();
        RouteTable(routes)
    }

    /// The methods of the documented path that `path` matches, if any.
    fn methods_for(&self, path: &str) -> Option<&[String]> {
        let segments: Vec<&str> = path.split('/').collect();
        self.0.iter().find_map(|(pattern, methods)| {
            let matches = pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(expected, actual)| match expected {
                        Some(literal) => literal == actual,
                        None => !actual.is_empty(),
                    });
            matches.then_some(methods.as_slice())
        })
    }
}

/// Answers what no route took: 405 with `Allow` when the path exists with
/// other methods, 404 otherwise.
async fn unmatched(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match table.methods_for(req.path()) {
        Some(methods) if !methods.iter().any(|method| method == req.method().as_str()) => {
            ApiError::MethodNotAllowed {
                allow: methods.to_vec(),
            }
        }
        _ if req.method() == Method::GET && req.path() == "/swagger-ui" => {
            ApiError::NotFound("Swagger UI is at /swagger-ui/ (with the slash).".to_owned())
        }
        _ => ApiError::NotFound(format!("There is nothing at {}.", req.path())),
    })
}

/// A panic in a handler becomes a 500 problem, and the worker lives on to
/// serve the next request; the panic message goes to the log only. (The
/// error is returned rather than wrapped in a response: keeping a clone of
/// the request alive while routing runs would break actix's routing.)
pub async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(result) => result.map(ServiceResponse::map_into_boxed_body),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|message| (*message).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            Err(ApiError::Internal(format!("handler panicked: {message}").into()).into())
        }
    }
}

/// Anything that still leaves the app as an error without a problem body
/// (an actix default, a middleware) is given one, so clients meet one format.
fn ensure_problem<B: MessageBody + 'static>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    // Outside the routes, only the CORS layer answers a 400 of its own.
    let cors_refusal = res.request().headers().contains_key(header::ORIGIN);
    let error = match status.as_u16() {
        400 if cors_refusal => ApiError::BadRequest(
            "This origin may not call the API, or asked for a method or header it does not \
             allow (see NEWSDESK_CORS_ORIGINS)."
                .to_owned(),
        ),
        400 => ApiError::BadRequest("The request could not be understood.".to_owned()),
        404 => ApiError::NotFound("There is nothing at this path.".to_owned()),
        406 => ApiError::NotAcceptable,
        408 => ApiError::RequestTimeout,
        413 => ApiError::PayloadTooLarge { limit: 1024 * 1024 },
        415 => ApiError::UnsupportedMediaType,
        500..=599 => ApiError::Internal(format!("a {status} without a problem body").into()),
        _ => ApiError::BadRequest(format!("The request was refused ({status}).")),
    };
    // The body says the status the client gets, whatever the variant's own.
    let mut problem = error.problem();
    problem.status = status.as_u16();
    problem.title = status.canonical_reason().unwrap_or("Error").to_owned();
    let body = serde_json::to_string(&problem).unwrap_or_default();
    let (req, _) = res.into_parts();
    let mut response = error.error_response();
    *response.status_mut() = status;
    let response = response.set_body(BoxBody::new(body));
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

fn query_error(err: actix_web::error::QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("The query string is invalid: {err}.")).into()
}

fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest(format!("The path is invalid: {err}.")).into()
}

/// A bound, not yet running, server; `port` tells where it listens.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Opens (and migrates) the database and binds the listener.
    pub fn build(config: Config) -> Result<Application, String> {
        let listener = TcpListener::bind(&config.bind)
            .map_err(|err| format!("cannot listen on {}: {err}", config.bind))?;
        let pool = db::connect(config.database_path(), config.pool_size)
            .map_err(|err| crate::store::error::chain(&err))?;
        give_slugs(&pool)?;
        if let Some((email, password)) = &config.bootstrap_admin {
            bootstrap_admin(&pool, email, password)?;
        }
        // Webhook deliveries and scheduled-article events, on the caller's
        // runtime (main's, or a test's), for as long as it runs.
        crate::webhooks::start(&pool, &config);
        Application::with_listener(config, pool, listener)
    }

    fn with_listener(
        config: Config,
        pool: DbPool,
        listener: TcpListener,
    ) -> Result<Application, String> {
        let port = listener.local_addr().map_err(|err| err.to_string())?.port();
        let workers = config.workers;
        let media_files = crate::media::files::MediaFiles::open(&config)?;
        crate::render::set_embed_hosts(&config.embed_hosts);
        let pool_size = usize::try_from(config.pool_size).unwrap_or(8);
        let answers = web::Data::new(Answers::new(config.cache_mb.saturating_mul(1024 * 1024)));
        let state = web::Data::new(AppState {
            tokens: TokenKeys::new(config.jwt_secret.as_deref(), config.token_ttl_seconds),
            comment_limiter: RateLimit::per_minute(config.comment_rate_per_minute),
            media_files,
            // One image job per core: each is CPU-bound and may hold up to
            // 256 MB while it decodes.
            image_jobs: crate::media::Jobs::new(
                std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            ),
            suggestions: crate::suggest::Shared::new(),
            pool,
            config,
        });
        let api = openapi::spec();
        let table = web::Data::new(RouteTable::from_spec(&api));
        let api = Arc::new(api);
        let cors_origins = state.config.cors_origins.clone();
        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(answers.clone())
                .app_data(table.clone())
                .app_data(web::QueryConfig::default().error_handler(query_error))
                .app_data(web::PathConfig::default().error_handler(path_error))
                .into_utoipa_app()
                .configure(crate::routes::routes)
                .into_app()
                .service(
                    SwaggerUi::new("/swagger-ui/{_:.*}")
                        .url("/api-docs/openapi.json", (*api).clone()),
                )
                .default_service(web::to(unmatched))
                .wrap(ErrorHandlers::new().default_handler(ensure_problem))
                .wrap(from_fn(catch_panic))
                .wrap(from_fn(crate::http::policy))
                .wrap(cors(&cors_origins))
                .wrap(Compress::default())
                .wrap(from_fn(crate::http::head_as_get))
                // Again outside CORS and compression, whose refusals (a
                // preflight from another origin, a 406 for identity;q=0)
                // are plain text of their own.
                .wrap(ErrorHandlers::new().default_handler(ensure_problem))
                .wrap(Logger::new(r#"%a "%r" %s %b %Dms id=%{x-request-id}o"#))
        })
        // On SIGTERM or SIGINT, stop accepting and let requests in flight
        // finish for up to this long.
        .shutdown_timeout(30)
        // Limits against slow and idle clients (documented in the README):
        // the request head must arrive within 10 s (else 408), idle
        // keep-alive connections close after 30 s, and a closing client
        // gets 2 s. Bodies have their own 30 s limit (api::ApiJson).
        .client_request_timeout(Duration::from_secs(10))
        .keep_alive(Duration::from_secs(30))
        .client_disconnect_timeout(Duration::from_secs(2))
        .listen(listener)
        .map_err(|err| format!("cannot serve: {err}"))?;
        let workers = workers.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
        });
        server = server.workers(workers);
        // Blocking work waits for a pooled connection anyway: more threads
        // than connections, across all workers, only add stacks and glibc
        // malloc arenas, each of which keeps the memory SQLite freed in it.
        // Measured on the topic benchmark: 8 threads peaked at 73 MB.
        server = server.worker_max_blocking_threads(pool_size.div_ceil(workers).max(1));
        Ok(Application {
            port,
            server: server.run(),
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, finishing the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Creates the first admin from `NEWSDESK_ADMIN_EMAIL` and
/// `NEWSDESK_ADMIN_PASSWORD` when no active admin can sign in yet, so that
/// a container can start ready to use; does nothing afterwards.
/// Accounts made before authors had pages (or imported without a slug)
/// get one now, so that every author has a URL.
pub fn give_slugs(pool: &DbPool) -> Result<(), String> {
    let mut conn = pool.get().map_err(|err| err.to_string())?;
    let named = crate::db::write_transaction(&mut conn, crate::store::users::give_slugs)
        .map_err(|err| format!("cannot give accounts their slugs: {err}"))?;
    if named > 0 {
        log::info!("gave {named} account(s) an author slug");
    }
    Ok(())
}

fn bootstrap_admin(pool: &DbPool, email: &str, password: &str) -> Result<(), String> {
    use crate::store::users;

    let mut conn = pool.get().map_err(|err| err.to_string())?;
    if users::has_active_admin(&mut conn).map_err(|err| err.to_string())? {
        return Ok(());
    }
    let new = crate::api::users::validated_new_user(
        email,
        "Administrator",
        crate::auth::Role::Admin,
        password,
    )
    .map_err(|err| {
        format!(
            "NEWSDESK_ADMIN_EMAIL/NEWSDESK_ADMIN_PASSWORD: {:?}",
            err.problem().errors
        )
    })?;
    let user = crate::db::write_transaction(&mut conn, |conn| users::create(conn, &new))
        .map_err(|err| format!("cannot create the first admin: {err}"))?;
    log::info!("created the first admin, {} (user {})", user.email, user.id);
    Ok(())
}

/// The CORS policy: any origin (`*`) without credentials by default, or the
/// listed ones; every method of the API, and the headers clients send and read.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static(crate::http::REQUEST_ID),
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
            header::HeaderName::from_static("x-total-count"),
            header::HeaderName::from_static(crate::http::REQUEST_ID),
        ])
        .max_age(3600);
    if origins.iter().any(|origin| origin == "*") {
        cors = cors.allow_any_origin().send_wildcard();
    } else {
        for origin in origins {
            cors = cors.allowed_origin(origin);
        }
    }
    cors
}
