//! What is derived from an article's Markdown body when it is written, so that
//! reads never pay for it: the sanitised HTML, the word count, the reading time.

use std::borrow::Cow;
use std::sync::{Arc, RwLock};

use pulldown_cmark::{Options, Parser, html};

/// Words per minute used for `reading_time_minutes`: a common figure for
/// adults reading news on a screen.
const WORDS_PER_MINUTE: usize = 200;

/// The hosts whose iframes bodies may embed when `NEWSDESK_EMBED_HOSTS`
/// is not set (their subdomains too): video, charts and audio players.
pub const DEFAULT_EMBED_HOSTS: &[&str] = &[
    "youtube.com",
    "youtube-nocookie.com",
    "player.vimeo.com",
    "datawrapper.dwcdn.net",
    "flo.uri.sh",
    "w.soundcloud.com",
];

/// What every kept iframe gets, whatever the author wrote: the embed may
/// run its player's scripts and open links in a new window, but not
/// navigate the page, submit forms or show pop-up dialogs.
pub const EMBED_SANDBOX: &str = "allow-scripts allow-same-origin allow-popups";

/// Permissions an embed may ask for with `allow`; anything else
/// (camera, microphone, geolocation, payment…) is dropped.
const EMBED_PERMISSIONS: &[&str] = &[
    "accelerometer",
    "autoplay",
    "clipboard-write",
    "encrypted-media",
    "fullscreen",
    "gyroscope",
    "picture-in-picture",
    "web-share",
];

/// The embed hosts in force. Bodies are rendered where they are stored
/// (`store::articles`), which sees no configuration, so the server sets
/// this once from its `Config` at start (`set_embed_hosts`); `None` means
/// the defaults. A changed list applies to bodies written from then on.
static EMBED_HOSTS: RwLock<Option<Arc<Vec<String>>>> = RwLock::new(None);

/// Makes `hosts` the embed hosts of every body rendered from now on.
pub fn set_embed_hosts(hosts: &[String]) {
    if let Ok(mut current) = EMBED_HOSTS.write() {
        *current = Some(Arc::new(hosts.to_vec()));
    }
}

fn embed_hosts() -> Arc<Vec<String>> {
    EMBED_HOSTS
        .read()
        .ok()
        .and_then(|hosts| hosts.clone())
        .unwrap_or_else(|| {
            Arc::new(
                DEFAULT_EMBED_HOSTS
                    .iter()
                    .map(|host| (*host).to_owned())
                    .collect(),
            )
        })
}

/// Reads `NEWSDESK_EMBED_HOSTS`: comma-separated host names (lower-cased;
/// no scheme, port, path or wildcard), or `none` for no embeds at all.
pub fn parse_embed_hosts(list: &str) -> Result<Vec<String>, String> {
    if list.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    list.split(',')
        .map(|host| host.trim().to_ascii_lowercase())
        .filter(|host| !host.is_empty())
        .map(|host| {
            let valid = host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !host.contains("..")
                && host
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
            if valid {
                Ok(host)
            } else {
                Err(format!(
                    "{host:?} is not a host name (write youtube.com, not https://youtube.com/ or *.youtube.com)"
                ))
            }
        })
        .collect()
}

/// The iframe source to keep, normalised, when `src` is an https URL on
/// one of `hosts` or a subdomain of one, without credentials; `None`
/// otherwise (other schemes, `http:`, protocol-relative and relative URLs,
/// IP addresses, look-alikes such as `youtube.com.evil.example`).
pub fn embed_source(src: &str, hosts: &[String]) -> Option<String> {
    let url = url::Url::parse(src.trim()).ok()?;
    if url.scheme() != "https" || !url.username().is_empty() || url.password().is_some() {
        return None;
    }
    let Some(url::Host::Domain(host)) = url.host() else {
        return None;
    };
    let allowed = hosts.iter().any(|allowed| {
        host == allowed
            || host
                .strip_suffix(allowed.as_str())
                .is_some_and(|sub| sub.ends_with('.'))
    });
    allowed.then(|| url.to_string())
}

/// An iframe's `allow` reduced to the harmless permissions, each without
/// an origin list; `None` when none is left.
fn embed_permissions(allow: &str) -> Option<String> {
    let kept: Vec<&str> = allow
        .split(';')
        .filter_map(|directive| directive.split_whitespace().next())
        .filter(|feature| EMBED_PERMISSIONS.contains(feature))
        .collect();
    (!kept.is_empty()).then(|| kept.join("; "))
}

/// CommonMark (with tables, strikethrough and footnotes) to HTML, then
/// cleaned by ammonia's allow-list: no scripts, no event handlers, no
/// `javascript:` URLs, whatever the author typed. Iframes from the embed
/// hosts are kept (see `body_html_with`).
pub fn body_html(markdown: &str) -> String {
    body_html_with(markdown, &embed_hosts())
}

/// As `body_html`, with these embed hosts: an iframe whose `src` is https
/// on one of them (or a subdomain) is kept with `src`, `title`, `width`,
/// `height`, `allowfullscreen` and the harmless part of `allow`, and gets
/// `sandbox` and `loading="lazy"`; every other iframe goes, with whatever
/// it holds.
pub fn body_html_with(markdown: &str, hosts: &[String]) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut unsafe_html = String::with_capacity(markdown.len() + markdown.len() / 4);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    // Tag names are never escaped, so a body that does not spell `<iframe`
    // (in any case) has none, and is cleaned exactly as it always was.
    let has_iframe = unsafe_html
        .as_bytes()
        .windows(7)
        .any(|window| window.eq_ignore_ascii_case(b"<iframe"));
    if !has_iframe || hosts.is_empty() {
        return ammonia::clean(&unsafe_html);
    }
    // First ammonia, with iframes allowed and their `src` checked; then,
    // on its well-formed output, the iframes left without a `src` (it was
    // refused) are removed whole, and the kept ones get their sandbox.
    // ammonia keeps its filter for as long as the builder lives.
    let allowed = hosts.to_vec();
    let cleaned = ammonia::Builder::default()
        .add_tags(["iframe"])
        .add_tag_attributes(
            "iframe",
            [
                "src",
                "title",
                "width",
                "height",
                "allow",
                "allowfullscreen",
            ],
        )
        .attribute_filter(
            move |element, attribute, value| match (element, attribute) {
                ("iframe", "src") => embed_source(value, &allowed).map(Cow::Owned),
                ("iframe", "width" | "height") => {
                    let digits = value.trim().trim_end_matches('%');
                    (!digits.is_empty()
                        && digits.len() <= 5
                        && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| Cow::Owned(value.trim().to_owned()))
                }
                ("iframe", "allow") => embed_permissions(value).map(Cow::Owned),
                _ => Some(Cow::Borrowed(value)),
            },
        )
        .clean(&unsafe_html)
        .to_string();
    sandbox_embeds(&cleaned, hosts).unwrap_or_else(|err| {
        // Cannot happen on ammonia's output; without the pass, no iframe stays.
        log::error!("cannot rewrite embeds, dropping them: {err}");
        ammonia::clean(&unsafe_html)
    })
}

/// The second pass of `body_html_with`.
fn sandbox_embeds(
    html: &str,
    hosts: &[String],
) -> Result<String, lol_html::errors::RewritingError> {
    use lol_html::{RewriteStrSettings, element, rewrite_str};

    let settings =
        RewriteStrSettings::new().append_element_content_handler(element!("iframe", |el| {
            let source = el
                .get_attribute("src")
                .and_then(|src| embed_source(&src, hosts));
            match source {
                Some(_) => {
                    // What an iframe holds is never shown; it goes.
                    el.set_inner_content("", lol_html::html_content::ContentType::Text);
                    el.set_attribute("sandbox", EMBED_SANDBOX)?;
                    el.set_attribute("loading", "lazy")?;
                }
                None => el.remove(),
            }
            Ok(())
        }));
    rewrite_str(html, settings)
}

/// Words in the body: runs of non-space characters holding at least one
/// letter or digit, so that Markdown markers (`#`, `-`, `>`) do not count.
pub fn word_count(markdown: &str) -> usize {
    markdown
        .split_whitespace()
        .filter(|word| word.chars().any(char::is_alphanumeric))
        .count()
}

/// Whole minutes, rounded up; zero only for an empty body.
pub fn reading_time_minutes(words: usize) -> usize {
    words.div_ceil(WORDS_PER_MINUTE)
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "a test should stop loudly at the first surprise"
)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_scripts_are_removed() {
        let html =
            body_html("# Title\n\nSome *text*.<script>alert(1)</script> [x](javascript:alert(1))");
        assert!(html.contains("<h1>Title</h1>"));
        assert!(html.contains("<em>text</em>"));
        assert!(!html.contains("<script"));
        assert!(!html.contains("javascript:"));
    }

    fn hosts() -> Vec<String> {
        DEFAULT_EMBED_HOSTS
            .iter()
            .map(|h| (*h).to_owned())
            .collect()
    }

    fn iframe(src: &str) -> String {
        body_html_with(
            &format!("Before.\n\n<iframe src=\"{src}\"></iframe>\n\nAfter."),
            &hosts(),
        )
    }

    #[test]
    fn an_allowed_embed_is_kept_sandboxed_and_lazy() {
        let html = body_html_with(
            "Watch:\n\n<iframe width=\"560\" height=\"315\" src=\"https://www.youtube.com/embed/abc\" \
             title=\"The summit\" allow=\"autoplay; encrypted-media; camera; microphone 'self'\" \
             allowfullscreen onload=\"alert(1)\" sandbox=\"allow-top-navigation\" srcdoc=\"<b>x</b>\" \
             style=\"position:fixed\"></iframe>",
            &hosts(),
        );
        assert_eq!(html.matches("<iframe").count(), 1, "{html}");
        assert!(
            html.contains(r#"src="https://www.youtube.com/embed/abc""#),
            "{html}"
        );
        assert!(
            html.contains(r#"sandbox="allow-scripts allow-same-origin allow-popups""#),
            "{html}"
        );
        assert!(html.contains(r#"loading="lazy""#), "{html}");
        assert!(
            html.contains(r#"allow="autoplay; encrypted-media""#),
            "{html}"
        );
        assert!(html.contains(r#"width="560""#) && html.contains(r#"title="The summit""#));
        for gone in [
            "onload",
            "allow-top-navigation",
            "srcdoc",
            "style",
            "camera",
            "microphone",
        ] {
            assert!(!html.contains(gone), "{gone} survived: {html}");
        }
        for src in [
            "https://youtube.com/embed/x",
            "https://www.youtube-nocookie.com/embed/x",
            "https://player.vimeo.com/video/1",
            "https://datawrapper.dwcdn.net/AbC/1/",
            "https://flo.uri.sh/visualisation/1/embed",
            "https://w.soundcloud.com/player/?url=x",
            "HTTPS://WWW.YOUTUBE.COM/embed/upper",
        ] {
            let html = iframe(src);
            assert_eq!(html.matches("<iframe").count(), 1, "{src}: {html}");
            assert!(html.contains(r#"loading="lazy""#), "{src}: {html}");
        }
        assert!(
            iframe("HTTPS://WWW.YOUTUBE.COM/embed/upper")
                .contains("https://www.youtube.com/embed/upper")
        );
    }

    #[test]
    fn every_other_iframe_is_removed_with_what_it_holds() {
        for src in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http://www.youtube.com/embed/x",
            "//www.youtube.com/embed/x",
            "/embed/x",
            "https://youtube.com.evil.example/embed/x",
            "https://evilyoutube.com/embed/x",
            "https://www.youtube.com@evil.example/x",
            "https://user:pass@www.youtube.com/embed/x",
            "https://vimeo.com/1",
            "https://127.0.0.1/embed",
            "https://youtube.com./embed/x",
            "",
        ] {
            let html = iframe(src);
            assert!(
                !html.to_ascii_lowercase().contains("iframe"),
                "{src:?} kept: {html}"
            );
            assert!(
                html.contains("Before.") && html.contains("After."),
                "{html}"
            );
        }
        for body in [
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<IFRAME SRC=\"javascript:alert(1)\"></IFRAME>",
            "<iframe>https://www.youtube.com/embed/x</iframe>",
            "<iframe src=\"https://evil.example/\"><img src=x onerror=alert(1)></iframe>",
            "<iframe src=\"https://evil.example/\" src=\"https://www.youtube.com/embed/x\"></iframe>",
        ] {
            let html = body_html_with(body, &hosts());
            let lower = html.to_ascii_lowercase();
            assert!(
                !lower.contains("<iframe")
                    && !lower.contains("onerror")
                    && !lower.contains("script"),
                "{body}: {html}"
            );
        }
        // With no embed hosts, no iframe stays at all.
        assert!(
            !body_html_with(
                "<iframe src=\"https://www.youtube.com/embed/x\"></iframe>",
                &[]
            )
            .contains("iframe")
        );
    }

    #[test]
    fn an_allowed_iframes_content_is_dropped() {
        let html = body_html_with(
            "<iframe src=\"https://player.vimeo.com/video/1\"><img src=x onerror=alert(1)></iframe>",
            &hosts(),
        );
        assert!(
            !html.contains("onerror") && !html.contains("<img"),
            "{html}"
        );
        assert!(html.contains("player.vimeo.com"), "{html}");
    }

    #[test]
    fn bodies_without_iframes_render_as_before() {
        let markdown =
            "# Title\n\nSome *text* with <b>bold</b> & <a href=\"https://x.example\">a link</a>.";
        assert_eq!(body_html_with(markdown, &hosts()), {
            let mut html = String::new();
            html::push_html(
                &mut html,
                Parser::new_ext(
                    markdown,
                    Options::ENABLE_TABLES
                        | Options::ENABLE_STRIKETHROUGH
                        | Options::ENABLE_FOOTNOTES,
                ),
            );
            ammonia::clean(&html)
        });
    }

    #[test]
    fn embed_hosts_are_host_names() {
        assert_eq!(
            parse_embed_hosts(" YouTube.com, player.vimeo.com ,").unwrap(),
            ["youtube.com", "player.vimeo.com"]
        );
        assert!(parse_embed_hosts("none").unwrap().is_empty());
        for bad in [
            "https://youtube.com",
            "*.youtube.com",
            "youtube",
            ".youtube.com",
            "you tube.com",
        ] {
            assert!(parse_embed_hosts(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn markers_are_not_words() {
        assert_eq!(word_count("# North Korea\n\n- Russia, G7 -- allies."), 5);
        assert_eq!(reading_time_minutes(0), 0);
        assert_eq!(reading_time_minutes(1), 1);
        assert_eq!(reading_time_minutes(201), 2);
    }
}
