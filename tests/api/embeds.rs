//! Embeds in article bodies: iframes from the allowlisted hosts survive
//! sanitising, sandboxed and lazy; every other iframe goes.

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn an_article_keeps_an_allowed_embed_sandboxed_and_drops_the_others() {
    let app = spawn_app().await;
    let body = "The vote, in a chart:\n\n\
        <iframe src=\"https://datawrapper.dwcdn.net/Xy12/3/\" title=\"Votes\" width=\"600\" height=\"400\" sandbox=\"allow-top-navigation\"></iframe>\n\n\
        And a video:\n\n\
        <iframe src=\"https://www.youtube-nocookie.com/embed/abc\" allowfullscreen></iframe>\n\n\
        <iframe src=\"https://youtube.com.evil.example/embed/x\"></iframe>\n\n\
        <IFRAME SRC=\"javascript:alert(document.cookie)\"></IFRAME>\n\n\
        <iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>\n\n\
        <iframe src=\"http://player.vimeo.com/video/1\"></iframe>\n\n\
        <iframe src=\"//player.vimeo.com/video/1\"></iframe>\n\nThe end.";
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "Embeds", "body": body, "status": "published"}),
        )
        .await;
    let html = article["body_html"].as_str().unwrap();
    assert_eq!(html.matches("<iframe").count(), 2, "{html}");
    assert!(
        html.contains(r#"src="https://datawrapper.dwcdn.net/Xy12/3/""#),
        "{html}"
    );
    assert!(
        html.contains(r#"src="https://www.youtube-nocookie.com/embed/abc""#),
        "{html}"
    );
    assert_eq!(
        html.matches(r#"sandbox="allow-scripts allow-same-origin allow-popups""#)
            .count(),
        2,
        "{html}"
    );
    assert_eq!(html.matches(r#"loading="lazy""#).count(), 2, "{html}");
    for gone in [
        "evil.example",
        "javascript:",
        "srcdoc",
        "http://",
        "//player.vimeo",
        "allow-top-navigation",
    ] {
        assert!(!html.contains(gone), "{gone} survived: {html}");
    }
    assert!(html.contains("The end."));
    let fetched = app.get("/api/v1/articles/embeds").await;
    assert_eq!(fetched.json["body_html"], article["body_html"]);
}
