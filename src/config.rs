//! Every setting of the server in one struct, read from the environment
//! (and an optional `.env` file, loaded by `main`).

use std::env;
use std::net::IpAddr;
use std::time::Duration;

/// Where the server listens and keeps its data, and its limits.
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: path of the SQLite file (a `sqlite://` prefix is accepted).
    /// Default `newsdesk.db` in the working directory.
    pub database_url: String,
    /// `NEWSDESK_BIND`: address and port to listen on. Default `127.0.0.1:8080`.
    pub bind: String,
    /// `NEWSDESK_BODY_LIMIT`: largest accepted request body in bytes. Default 1 MiB.
    pub body_limit: usize,
    /// `NEWSDESK_DB_POOL_SIZE`: connections in the pool. Default 4: SQLite in
    /// WAL mode lets readers run side by side, writers queue on
    /// `busy_timeout`; on 2 cores 4 serve as many requests as 8 (measured
    /// with benches/wrk) in 8 MB less memory (each keeps a page cache).
    pub pool_size: u32,
    /// `NEWSDESK_WORKERS`: actix worker threads. Default: one per core.
    pub workers: Option<usize>,
    /// `NEWSDESK_JWT_SECRET`: the HS256 key, at least 32 bytes. Without it a
    /// random key is made at start, and tokens do not survive a restart.
    pub jwt_secret: Option<String>,
    /// `NEWSDESK_TOKEN_TTL`: seconds an access token lives. Default 3600.
    pub token_ttl_seconds: u64,
    /// `NEWSDESK_PREVIEW_TTL`: seconds a preview link of an article stays
    /// valid. Default 86400 (24 hours).
    pub preview_ttl_seconds: u64,
    /// `NEWSDESK_AUTH_RATE_LIMIT`: sign-in attempts per minute per client. Default 10.
    pub auth_rate_per_minute: u32,
    /// `NEWSDESK_COMMENT_RATE_LIMIT`: comment posts per minute per client. Default 5.
    pub comment_rate_per_minute: u32,
    /// `NEWSDESK_COMMENTS_AUTO_APPROVE`: publish readers' comments at once
    /// (suspicious ones are still held). Default false.
    pub comments_auto_approve: bool,
    /// Public pages: `NEWSDESK_SITE_URL` (the newsroom's site, absolute
    /// `http(s)://`; default `http://{NEWSDESK_BIND}`) and
    /// `NEWSDESK_ARTICLE_PATH` (default `/{yyyy}/{mm}/{dd}/{slug}`). Every
    /// `url` in answers, feeds, sitemaps and JSON-LD comes from them.
    pub urls: crate::urls::PublicUrls,
    /// `NEWSDESK_CACHE_MAX_AGE`: seconds anonymous readers' caches (and CDNs)
    /// may keep public content. Default 60.
    pub cache_max_age: u32,
    /// `NEWSDESK_CACHE_MB`: memory, in MiB, for article pages and lists
    /// kept until the content changes (see `cache`), half for each, plus a
    /// thirty-second for list totals. Default 12; 0 turns caching off.
    pub cache_mb: usize,
    /// `NEWSDESK_CORS_ORIGINS`: comma-separated origins that browsers may
    /// call from, or `*` (the default) for any origin, without credentials.
    pub cors_origins: Vec<String>,
    /// `NEWSDESK_TRUSTED_PROXIES`: comma-separated proxy addresses whose
    /// `X-Forwarded-For` names the real client. Default none.
    pub trusted_proxies: Vec<IpAddr>,
    /// `NEWSDESK_ADMIN_EMAIL` and `NEWSDESK_ADMIN_PASSWORD`: the first admin,
    /// created at start when there is no active admin yet.
    pub bootstrap_admin: Option<(String, String)>,
    /// `NEWSDESK_WEBHOOK_ALLOW_PRIVATE`: let webhooks reach loopback,
    /// link-local and private addresses (development, tests). Default false.
    pub webhook_allow_private: bool,
    /// `NEWSDESK_WEBHOOK_RETRY_SCHEDULE`: comma-separated seconds to wait
    /// after each failed attempt of a delivery; past the last, it has
    /// failed. Default `5,60,300,1800,7200,28800` (5 s, 1 min, 5 min,
    /// 30 min, 2 h, 8 h: seven attempts in all).
    pub webhook_retry_schedule: Vec<Duration>,
    /// `NEWSDESK_WEBHOOK_POLL_INTERVAL`: seconds between the delivery
    /// worker's looks for due deliveries (and the scheduled-article
    /// announcer's). Default 1.
    pub webhook_poll_interval: Duration,
    /// `NEWSDESK_WEBHOOK_TIMEOUT`: seconds a receiver has to answer. Default 10.
    pub webhook_timeout: Duration,
    /// `NEWSDESK_WEBHOOK_CONCURRENCY`: deliveries under way at once (a
    /// quarter of them, at least one, for one webhook). Default 16.
    pub webhook_concurrency: usize,
    /// `NEWSDESK_MEDIA_LIMIT`: largest image upload in bytes. Default 10 MiB.
    pub media_limit: usize,
    /// `NEWSDESK_MEDIA_DIR`: the directory media files are kept in when
    /// `media_store` is not set (created when missing). Default `./media`.
    pub media_dir: String,
    /// `NEWSDESK_MEDIA_STORE`: `s3://bucket/prefix` to keep media files in
    /// S3-compatible object storage instead, so that several nodes share
    /// them. Credentials, region and endpoint come from `media_s3_options`.
    pub media_store: Option<String>,
    /// The usual `AWS_*` variables (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`,
    /// `AWS_ALLOW_HTTP`…) as (name, value), for `media_store`.
    pub media_s3_options: Vec<(String, String)>,
    /// `NEWSDESK_EMBED_HOSTS`: comma-separated hosts whose https iframes
    /// article bodies may embed (their subdomains too). Default
    /// `render::DEFAULT_EMBED_HOSTS`.
    pub embed_hosts: Vec<String>,
    /// `NEWSDESK_SITEMAP_PAGE_SIZE`: article ids per article sitemap
    /// (`/sitemaps/articles-{n}.xml`), 1 to 50,000. Default 50,000, the
    /// most a sitemap may hold.
    pub sitemap_page_size: u32,
    /// `NEWSDESK_PUBLICATION_NAME`: the publication's name in the Google
    /// News sitemap (`news:publication/news:name`) and as the publisher in
    /// JSON-LD. Default `newsdesk`.
    pub publication_name: String,
    /// `NEWSDESK_PUBLICATION_LANGUAGE`: its language there, an ISO 639
    /// code (`en`, `fr`, or `zh-cn` / `zh-tw`). Default `en`.
    pub publication_language: String,
}

/// A setting that is present but unusable; `main` reports it and exits.
#[derive(Debug, thiserror::Error)]
#[error("{name} is invalid: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "newsdesk.db".to_owned(),
            bind: "127.0.0.1:8080".to_owned(),
            body_limit: 1024 * 1024,
            pool_size: 4,
            workers: None,
            jwt_secret: None,
            token_ttl_seconds: 3600,
            preview_ttl_seconds: 86_400,
            auth_rate_per_minute: 10,
            comment_rate_per_minute: 5,
            comments_auto_approve: false,
            urls: crate::urls::PublicUrls::default(),
            cors_origins: vec!["*".to_owned()],
            cache_mb: 12,
            cache_max_age: 60,
            trusted_proxies: Vec::new(),
            bootstrap_admin: None,
            webhook_allow_private: false,
            webhook_retry_schedule: [5, 60, 300, 1_800, 7_200, 28_800]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            webhook_poll_interval: Duration::from_secs(1),
            webhook_timeout: Duration::from_secs(10),
            webhook_concurrency: 16,
            media_limit: 10 * 1024 * 1024,
            media_dir: "./media".to_owned(),
            media_store: None,
            media_s3_options: Vec::new(),
            embed_hosts: crate::render::DEFAULT_EMBED_HOSTS
                .iter()
                .map(|host| (*host).to_owned())
                .collect(),
            sitemap_page_size: 50_000,
            publication_name: "newsdesk".to_owned(),
            publication_language: "en".to_owned(),
        }
    }
}

impl Config {
    /// Reads the settings from the environment, falling back to the defaults.
    pub fn from_env() -> Result<Config, ConfigError> {
        let defaults = Config::default();
        Ok(Config {
            database_url: env::var("DATABASE_URL")
                .ok()
                .filter(|url| !url.is_empty())
                .unwrap_or(defaults.database_url),
            bind: env::var("NEWSDESK_BIND")
                .ok()
                .filter(|bind| !bind.is_empty())
                .unwrap_or(defaults.bind),
            body_limit: parse_var("NEWSDESK_BODY_LIMIT")?.unwrap_or(defaults.body_limit),
            pool_size: parse_var("NEWSDESK_DB_POOL_SIZE")?.unwrap_or(defaults.pool_size),
            workers: parse_var("NEWSDESK_WORKERS")?,
            jwt_secret: match non_empty("NEWSDESK_JWT_SECRET") {
                Some(secret) if secret.len() < 32 => {
                    return Err(ConfigError {
                        name: "NEWSDESK_JWT_SECRET",
                        reason: "must be at least 32 bytes".to_owned(),
                    });
                }
                secret => secret,
            },
            token_ttl_seconds: parse_var("NEWSDESK_TOKEN_TTL")?
                .unwrap_or(defaults.token_ttl_seconds),
            preview_ttl_seconds: parse_var("NEWSDESK_PREVIEW_TTL")?
                .unwrap_or(defaults.preview_ttl_seconds),
            auth_rate_per_minute: parse_var("NEWSDESK_AUTH_RATE_LIMIT")?
                .unwrap_or(defaults.auth_rate_per_minute),
            comment_rate_per_minute: parse_var("NEWSDESK_COMMENT_RATE_LIMIT")?
                .unwrap_or(defaults.comment_rate_per_minute),
            comments_auto_approve: parse_var("NEWSDESK_COMMENTS_AUTO_APPROVE")?
                .unwrap_or(defaults.comments_auto_approve),
            urls: public_urls(
                env::var("NEWSDESK_BIND")
                    .ok()
                    .filter(|bind| !bind.is_empty()),
            )?,
            cache_max_age: parse_var("NEWSDESK_CACHE_MAX_AGE")?.unwrap_or(defaults.cache_max_age),
            cache_mb: parse_var("NEWSDESK_CACHE_MB")?.unwrap_or(defaults.cache_mb),
            cors_origins: non_empty("NEWSDESK_CORS_ORIGINS")
                .map(|list| {
                    list.split(',')
                        .map(|origin| origin.trim().to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or(defaults.cors_origins),
            trusted_proxies: match non_empty("NEWSDESK_TRUSTED_PROXIES") {
                None => Vec::new(),
                Some(list) => list
                    .split(',')
                    .map(|address| address.trim().parse())
                    .collect::<Result<_, _>>()
                    .map_err(|err: std::net::AddrParseError| ConfigError {
                        name: "NEWSDESK_TRUSTED_PROXIES",
                        reason: err.to_string(),
                    })?,
            },
            bootstrap_admin: non_empty("NEWSDESK_ADMIN_EMAIL")
                .zip(non_empty("NEWSDESK_ADMIN_PASSWORD")),
            webhook_allow_private: parse_var("NEWSDESK_WEBHOOK_ALLOW_PRIVATE")?
                .unwrap_or(defaults.webhook_allow_private),
            webhook_retry_schedule: match non_empty("NEWSDESK_WEBHOOK_RETRY_SCHEDULE") {
                None => defaults.webhook_retry_schedule,
                Some(list) => list
                    .split(',')
                    .map(|seconds| seconds_value("NEWSDESK_WEBHOOK_RETRY_SCHEDULE", seconds))
                    .collect::<Result<_, _>>()?,
            },
            webhook_poll_interval: match non_empty("NEWSDESK_WEBHOOK_POLL_INTERVAL") {
                None => defaults.webhook_poll_interval,
                Some(value) => seconds_value("NEWSDESK_WEBHOOK_POLL_INTERVAL", &value)?,
            },
            webhook_timeout: match non_empty("NEWSDESK_WEBHOOK_TIMEOUT") {
                None => defaults.webhook_timeout,
                Some(value) => seconds_value("NEWSDESK_WEBHOOK_TIMEOUT", &value)?,
            },
            webhook_concurrency: parse_var("NEWSDESK_WEBHOOK_CONCURRENCY")?
                .unwrap_or(defaults.webhook_concurrency),
            media_limit: parse_var("NEWSDESK_MEDIA_LIMIT")?.unwrap_or(defaults.media_limit),
            media_dir: non_empty("NEWSDESK_MEDIA_DIR").unwrap_or(defaults.media_dir),
            media_store: match non_empty("NEWSDESK_MEDIA_STORE") {
                Some(url) => {
                    crate::media::files::parse_s3_url(&url).map_err(|reason| ConfigError {
                        name: "NEWSDESK_MEDIA_STORE",
                        reason,
                    })?;
                    Some(url)
                }
                None => None,
            },
            media_s3_options: env::vars()
                .filter(|(name, value)| name.starts_with("AWS_") && !value.is_empty())
                .collect(),
            embed_hosts: match non_empty("NEWSDESK_EMBED_HOSTS") {
                None => defaults.embed_hosts,
                Some(list) => {
                    crate::render::parse_embed_hosts(&list).map_err(|reason| ConfigError {
                        name: "NEWSDESK_EMBED_HOSTS",
                        reason,
                    })?
                }
            },
            sitemap_page_size: match parse_var::<u32>("NEWSDESK_SITEMAP_PAGE_SIZE")? {
                None => defaults.sitemap_page_size,
                Some(size @ 1..=50_000) => size,
                Some(_) => {
                    return Err(ConfigError {
                        name: "NEWSDESK_SITEMAP_PAGE_SIZE",
                        reason: "must be 1 to 50000 (the most a sitemap may hold)".to_owned(),
                    });
                }
            },
            publication_name: non_empty("NEWSDESK_PUBLICATION_NAME")
                .unwrap_or(defaults.publication_name),
            publication_language: match non_empty("NEWSDESK_PUBLICATION_LANGUAGE") {
                None => defaults.publication_language,
                Some(code) if is_news_language(&code) => code,
                Some(_) => {
                    return Err(ConfigError {
                        name: "NEWSDESK_PUBLICATION_LANGUAGE",
                        reason: "must be an ISO 639 code of 2 or 3 lower-case letters, \
                                 or zh-cn or zh-tw"
                            .to_owned(),
                    });
                }
            },
        })
    }

    /// The file path in `database_url`, without the optional `sqlite://` scheme.
    pub fn database_path(&self) -> &str {
        self.database_url
            .strip_prefix("sqlite://")
            .or_else(|| self.database_url.strip_prefix("sqlite:"))
            .unwrap_or(&self.database_url)
    }
}

/// A duration written in seconds (`1`, `0.5`), at least a millisecond.
fn seconds_value(name: &'static str, value: &str) -> Result<Duration, ConfigError> {
    let invalid = |reason: &str| ConfigError {
        name,
        reason: format!("{value:?} {reason}"),
    };
    let seconds: f64 = value
        .trim()
        .parse()
        .map_err(|_| invalid("is not a number of seconds"))?;
    if !(0.001..=31_536_000.0).contains(&seconds) {
        return Err(invalid("must be between 0.001 and 31536000 seconds"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// A language as the Google News sitemap accepts it: `zh-cn`, `zh-tw`,
/// or two or three lower-case letters.
fn is_news_language(code: &str) -> bool {
    matches!(code, "zh-cn" | "zh-tw")
        || ((2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase()))
}

fn non_empty(name: &str) -> Option<String> {
    env::var(name).ok().filter(|value| !value.is_empty())
}

fn parse_var<T: std::str::FromStr>(name: &'static str) -> Result<Option<T>, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match env::var(name) {
        Ok(value) if !value.is_empty() => {
            value.parse().map(Some).map_err(|err: T::Err| ConfigError {
                name,
                reason: err.to_string(),
            })
        }
        _ => Ok(None),
    }
}

/// `NEWSDESK_SITE_URL` and `NEWSDESK_ARTICLE_PATH`, checked.
fn public_urls(bind: Option<String>) -> Result<crate::urls::PublicUrls, ConfigError> {
    if non_empty("NEWSDESK_PUBLIC_URL").is_some() {
        // Round 1's setting meant something else (a base for slugs); starting
        // with it silently ignored would publish wrong links.
        return Err(ConfigError {
            name: "NEWSDESK_PUBLIC_URL",
            reason: "is replaced by NEWSDESK_SITE_URL (the site) and NEWSDESK_ARTICLE_PATH \
                     (the article path template, default /{yyyy}/{mm}/{dd}/{slug})"
                .to_owned(),
        });
    }
    let site = match non_empty("NEWSDESK_SITE_URL") {
        // Feed readers and search engines resolve nothing: links must be absolute.
        Some(url) if !(url.starts_with("https://") || url.starts_with("http://")) => {
            return Err(ConfigError {
                name: "NEWSDESK_SITE_URL",
                reason: "must be an absolute http or https URL".to_owned(),
            });
        }
        Some(url) => url,
        None => format!("http://{}", bind.unwrap_or_else(|| Config::default().bind)),
    };
    let article_path = match non_empty("NEWSDESK_ARTICLE_PATH") {
        Some(template) => {
            crate::urls::ArticlePath::parse(&template).map_err(|reason| ConfigError {
                name: "NEWSDESK_ARTICLE_PATH",
                reason,
            })?
        }
        None => crate::urls::ArticlePath::default(),
    };
    Ok(crate::urls::PublicUrls::new(&site, article_path))
}
