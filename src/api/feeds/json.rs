//! A feed as JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>).

use chrono::{NaiveDateTime, SecondsFormat};
use serde::Serialize;

use super::FeedData;
use crate::error::ApiError;

const VERSION: &str = "https://jsonfeed.org/version/1.1";

#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    items: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Author<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    /// The sanitised HTML body.
    #[serde(skip_serializing_if = "Option::is_none")]
    content_html: Option<&'a str>,
    /// Only without a body: an item must have content of some kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    content_text: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    date_modified: String,
    authors: Vec<Author<'a>>,
    tags: Vec<&'a str>,
}

fn date(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn feed(data: &FeedData) -> JsonFeed<'_> {
    let items = data
        .entries
        .iter()
        .map(|item| Item {
            id: &item.id,
            url: &item.url,
            title: &item.title,
            content_html: item.content_html.as_deref(),
            content_text: match item.content_html {
                Some(_) => None,
                None => Some(item.summary.as_deref().unwrap_or(&item.title)),
            },
            summary: item.summary.as_deref(),
            date_published: item.published.map(date),
            date_modified: date(item.updated),
            authors: vec![Author { name: &item.author }],
            tags: item.tags.iter().map(|tag| tag.term.as_str()).collect(),
        })
        .collect();
    JsonFeed {
        version: VERSION,
        title: &data.title,
        home_page_url: &data.home_url,
        feed_url: &data.self_url,
        items,
    }
}

/// The feed as a JSON Feed document.
pub fn render(data: &FeedData) -> Result<String, ApiError> {
    serde_json::to_string(&feed(data)).map_err(|err| ApiError::Internal(err.into()))
}

/// An abridged feed of one item, for the spec.
pub fn example() -> serde_json::Value {
    serde_json::json!({
        "version": VERSION,
        "title": "newsdesk: North Korea",
        "home_page_url": "https://news.example",
        "feed_url": "https://api.news.example/feeds/entities/north-korea.json",
        "items": [{
            "id": "urn:newsdesk:article:42",
            "url": "https://news.example/2024/05/31/north-korea-rejects-g7-statement",
            "title": "North Korea rejects G7 statement",
            "content_html": "<p>PYONGYANG - North Korea <strong>rejected</strong> …</p>",
            "summary": "Pyongyang calls the communique interference.",
            "date_published": "2024-05-31T09:00:00Z",
            "date_modified": "2024-05-31T09:30:00Z",
            "authors": [{"name": "Staff"}],
            "tags": ["north-korea"]
        }]
    })
}
