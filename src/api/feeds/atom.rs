//! A feed as Atom 1.0 (RFC 4287).

use atom_syndication::{Category, Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use chrono::NaiveDateTime;

use super::{FeedData, FeedEntry};

/// An abridged feed of one entry, for the spec.
pub const EXAMPLE: &str = r#"<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>newsdesk: North Korea</title><id>urn:newsdesk:feed:entity:north-korea</id><updated>2024-05-31T09:30:00+00:00</updated><link href="https://api.news.example/feeds/entities/north-korea.atom" rel="self" type="application/atom+xml"/><entry><title>North Korea rejects G7 statement</title><id>urn:newsdesk:article:42</id><updated>2024-05-31T09:30:00+00:00</updated><author><name>Staff</name></author><category term="north-korea" scheme="urn:newsdesk:entities:country" label="North Korea"/><link href="https://news.example/2024/05/31/north-korea-rejects-g7-statement" rel="alternate"/><published>2024-05-31T09:00:00+00:00</published><summary>Pyongyang calls the communique interference.</summary><content type="html">&lt;p&gt;PYONGYANG - North Korea &lt;strong&gt;rejected&lt;/strong&gt; …&lt;/p&gt;</content></entry></feed>"#;

fn utc(at: NaiveDateTime) -> FixedDateTime {
    at.and_utc().fixed_offset()
}

fn entry(item: &FeedEntry) -> Entry {
    let mut entry = Entry::default();
    entry.set_id(item.id.clone());
    entry.set_title(Text::plain(item.title.clone()));
    entry.set_updated(utc(item.updated));
    entry.set_published(item.published.map(utc));
    let mut link = Link::default();
    link.set_href(item.url.clone());
    link.set_rel("alternate");
    entry.set_links(vec![link]);
    if let Some(summary) = &item.summary {
        entry.set_summary(Some(Text::plain(summary.clone())));
    }
    if let Some(html) = &item.content_html {
        let mut content = Content::default();
        content.set_content_type(Some("html".to_owned()));
        content.set_value(Some(html.clone()));
        entry.set_content(Some(content));
    }
    let mut author = Person::default();
    author.set_name(item.author.clone());
    entry.set_authors(vec![author]);
    let categories = item.tags.iter().map(|tag| {
        let mut category = Category::default();
        category.set_term(tag.term.clone());
        category.set_label(Some(tag.label.clone()));
        category.set_scheme(Some(tag.scheme.clone()));
        category
    });
    entry.set_categories(categories.collect::<Vec<_>>());
    entry
}

/// The feed as an Atom document.
pub fn render(data: &FeedData) -> String {
    let mut feed = Feed::default();
    feed.set_id(data.id.clone());
    feed.set_title(Text::plain(data.title.clone()));
    feed.set_updated(utc(data.updated));
    let mut self_link = Link::default();
    self_link.set_href(data.self_url.clone());
    self_link.set_rel("self");
    self_link.set_mime_type(Some("application/atom+xml".to_owned()));
    feed.set_links(vec![self_link]);
    feed.set_entries(data.entries.iter().map(entry).collect::<Vec<_>>());
    feed.to_string()
}
