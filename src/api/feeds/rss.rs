//! A feed as RSS 2.0 (<https://www.rssboard.org/rss-specification>), with
//! the body in `content:encoded` (RSS 1.0 content module), the author in
//! `dc:creator` (RSS's own `author` must be an email address) and the
//! `self` link as `atom:link`, as the RSS Advisory Board recommends.

use std::fmt::Write;

use chrono::NaiveDateTime;

use super::FeedData;

/// An abridged feed of one item, for the spec.
pub const EXAMPLE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>newsdesk: North Korea</title><link>https://news.example</link><description>newsdesk: North Korea</description><atom:link href="https://api.news.example/feeds/entities/north-korea.rss" rel="self" type="application/rss+xml"/><lastBuildDate>Fri, 31 May 2024 09:30:00 +0000</lastBuildDate><generator>newsdesk</generator><item><title>North Korea rejects G7 statement</title><link>https://news.example/2024/05/31/north-korea-rejects-g7-statement</link><guid isPermaLink="false">urn:newsdesk:article:42</guid><pubDate>Fri, 31 May 2024 09:00:00 +0000</pubDate><dc:creator>Staff</dc:creator><category domain="urn:newsdesk:entities:country">north-korea</category><description>Pyongyang calls the communique interference.</description><content:encoded>&lt;p&gt;PYONGYANG - North Korea &lt;strong&gt;rejected&lt;/strong&gt; …&lt;/p&gt;</content:encoded></item></channel></rss>"#;

/// RFC 822 dates, as RSS wants them (with a four-digit year).
fn date(at: NaiveDateTime) -> String {
    at.and_utc().to_rfc2822()
}

/// `text` as XML character data or attribute value: the five special
/// characters escaped, and characters XML 1.0 cannot hold at all (C0
/// controls but tab and newlines, lone surrogates cannot occur in a Rust
/// string, U+FFFE and U+FFFF) left out, so that no title breaks a reader.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `<name>text</name>`.
fn element(out: &mut String, name: &str, text: &str) {
    let _ = write!(out, "<{name}>{}</{name}>", escape(text));
}

/// The feed as an RSS document.
pub fn render(data: &FeedData) -> String {
    let mut out = String::with_capacity(1024 + data.entries.len() * 2048);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel>",
    );
    element(&mut out, "title", &data.title);
    element(&mut out, "link", &data.home_url);
    element(&mut out, "description", &data.title);
    let _ = write!(
        out,
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        escape(&data.self_url)
    );
    element(&mut out, "lastBuildDate", &date(data.updated));
    element(&mut out, "generator", "newsdesk");
    for item in &data.entries {
        out.push_str("<item>");
        element(&mut out, "title", &item.title);
        element(&mut out, "link", &item.url);
        let _ = write!(
            out,
            "<guid isPermaLink=\"false\">{}</guid>",
            escape(&item.id)
        );
        if let Some(published) = item.published {
            element(&mut out, "pubDate", &date(published));
        }
        element(&mut out, "dc:creator", &item.author);
        for tag in &item.tags {
            let _ = write!(
                out,
                "<category domain=\"{}\">{}</category>",
                escape(&tag.scheme),
                escape(&tag.term)
            );
        }
        if let Some(summary) = &item.summary {
            element(&mut out, "description", summary);
        }
        if let Some(html) = &item.content_html {
            element(&mut out, "content:encoded", html);
        }
        out.push_str("</item>");
    }
    out.push_str("</channel></rss>");
    out
}
