//! What is derived from an article's Markdown body when it is written, so that
//! reads never pay for it: the sanitised HTML, the word count, the reading time.

use pulldown_cmark::{Options, Parser, html};

/// Words per minute used for `reading_time_minutes`: a common figure for
/// adults reading news on a screen.
const WORDS_PER_MINUTE: usize = 200;

/// CommonMark (with tables, strikethrough and footnotes) to HTML, then
/// cleaned by ammonia's allow-list: no scripts, no event handlers, no
/// `javascript:` URLs, whatever the author typed.
pub fn body_html(markdown: &str) -> String {
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES;
    let mut unsafe_html = String::with_capacity(markdown.len() + markdown.len() / 4);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options));
    ammonia::clean(&unsafe_html)
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

    #[test]
    fn markers_are_not_words() {
        assert_eq!(word_count("# North Korea\n\n- Russia, G7 -- allies."), 5);
        assert_eq!(reading_time_minutes(0), 0);
        assert_eq!(reading_time_minutes(1), 1);
        assert_eq!(reading_time_minutes(201), 2);
    }
}
