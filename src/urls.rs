//! Public URLs: where readers find an article, topic, entity or author on
//! the newsroom's own site. The API carries them as `url`, and feeds,
//! sitemaps and JSON-LD link to the same ones, so that a site has one
//! address per story.
//!
//! A URL is `NEWSDESK_SITE_URL` followed by a path template: the article's
//! (`NEWSDESK_ARTICLE_PATH`, default `/{yyyy}/{mm}/{dd}/{slug}`) or the
//! fixed `/topics/{slug}`, `/entities/{slug}` and `/authors/{slug}`.

use std::sync::Arc;

use chrono::NaiveDateTime;

/// The article path template when none is set.
pub const DEFAULT_ARTICLE_PATH: &str = "/{yyyy}/{mm}/{dd}/{slug}";

/// One piece of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Year,
    Month,
    Day,
    Slug,
    Id,
}

/// A checked article path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticlePath {
    pieces: Vec<Piece>,
}

impl ArticlePath {
    /// Reads a template such as `/{yyyy}/{mm}/{slug}`. It must start with
    /// `/`, name the article by `{slug}` or `{id}` (otherwise two stories
    /// would share a page), and use only `{yyyy}`, `{mm}`, `{dd}`, `{slug}`
    /// and `{id}`.
    pub fn parse(template: &str) -> Result<ArticlePath, String> {
        if !template.starts_with('/') {
            return Err("must start with /".to_owned());
        }
        let mut pieces = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_owned()));
            }
            let Some(close) = rest[open..].find('}') else {
                return Err("has a { without its }".to_owned());
            };
            let name = &rest[open + 1..open + close];
            pieces.push(match name {
                "yyyy" => Piece::Year,
                "mm" => Piece::Month,
                "dd" => Piece::Day,
                "slug" => Piece::Slug,
                "id" => Piece::Id,
                other => {
                    return Err(format!(
                        "names {{{other}}}; the placeholders are {{yyyy}}, {{mm}}, {{dd}}, {{slug}} and {{id}}"
                    ));
                }
            });
            rest = &rest[open + close + 1..];
        }
        if rest.contains('}') {
            return Err("has a } without its {".to_owned());
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        if !pieces
            .iter()
            .any(|piece| matches!(piece, Piece::Slug | Piece::Id))
        {
            return Err("must contain {slug} or {id}".to_owned());
        }
        if pieces.iter().any(|piece| match piece {
            Piece::Text(text) => text.chars().any(|c| c.is_whitespace() || c.is_control()),
            _ => false,
        }) {
            return Err("must not contain spaces or control characters".to_owned());
        }
        Ok(ArticlePath { pieces })
    }

    fn render(&self, id: i32, slug: &str, dated: NaiveDateTime) -> String {
        let mut path = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Text(text) => path.push_str(text),
                Piece::Year => path.push_str(&dated.format("%Y").to_string()),
                Piece::Month => path.push_str(&dated.format("%m").to_string()),
                Piece::Day => path.push_str(&dated.format("%d").to_string()),
                Piece::Slug => path.push_str(slug),
                Piece::Id => path.push_str(&id.to_string()),
            }
        }
        path
    }
}

impl Default for ArticlePath {
    fn default() -> Self {
        ArticlePath {
            pieces: vec![
                Piece::Text("/".to_owned()),
                Piece::Year,
                Piece::Text("/".to_owned()),
                Piece::Month,
                Piece::Text("/".to_owned()),
                Piece::Day,
                Piece::Text("/".to_owned()),
                Piece::Slug,
            ],
        }
    }
}

/// Builds the public URLs; cheap to clone, shared by every worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrls {
    inner: Arc<Inner>,
}

#[derive(Debug, PartialEq, Eq)]
struct Inner {
    /// Without a trailing `/`.
    site: String,
    article_path: ArticlePath,
}

impl PublicUrls {
    /// `site` is an absolute http(s) URL; a trailing `/` is dropped.
    pub fn new(site: &str, article_path: ArticlePath) -> PublicUrls {
        PublicUrls {
            inner: Arc::new(Inner {
                site: site.trim_end_matches('/').to_owned(),
                article_path,
            }),
        }
    }

    /// The site's home page.
    pub fn site(&self) -> &str {
        &self.inner.site
    }

    /// An article's page. Its date is the publication's; an article never
    /// published is dated by its creation, so that a draft has a URL to
    /// show in previews (it becomes the publication date on publishing).
    pub fn article(
        &self,
        id: i32,
        slug: &str,
        published_at: Option<NaiveDateTime>,
        created_at: NaiveDateTime,
    ) -> String {
        let dated = published_at.unwrap_or(created_at);
        format!(
            "{}{}",
            self.inner.site,
            self.inner.article_path.render(id, slug, dated)
        )
    }

    pub fn topic(&self, slug: &str) -> String {
        format!("{}/topics/{slug}", self.inner.site)
    }

    pub fn entity(&self, slug: &str) -> String {
        format!("{}/entities/{slug}", self.inner.site)
    }

    pub fn author(&self, slug: &str) -> String {
        format!("{}/authors/{slug}", self.inner.site)
    }
}

impl Default for PublicUrls {
    fn default() -> Self {
        PublicUrls::new("http://127.0.0.1:8080", ArticlePath::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap_or_default()
    }

    #[test]
    fn the_default_template_dates_the_article() {
        let urls = PublicUrls::new("https://news.example/", ArticlePath::default());
        let url = urls.article(
            7,
            "g7",
            Some(at("2024-05-31 09:00:00")),
            at("2024-05-30 08:00:00"),
        );
        assert_eq!(url, "https://news.example/2024/05/31/g7");
    }

    #[test]
    fn a_template_may_use_the_id_and_a_suffix() -> Result<(), String> {
        let urls = PublicUrls::new(
            "https://news.example",
            ArticlePath::parse("/story/{id}-{slug}.html")?,
        );
        let url = urls.article(7, "g7", None, at("2024-05-30 08:00:00"));
        assert_eq!(url, "https://news.example/story/7-g7.html");
        Ok(())
    }

    #[test]
    fn bad_templates_are_refused() {
        for template in [
            "{slug}",
            "/{yyyy}/{mm}",
            "/{year}/{slug}",
            "/{slug",
            "/a b/{slug}",
        ] {
            assert!(ArticlePath::parse(template).is_err(), "{template}");
        }
    }
}
