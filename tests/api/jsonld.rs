//! `GET /articles/{id}/jsonld`: schema.org NewsArticle, read back by a
//! JSON-LD processor (PyLD, which `.ci/run` installs into target/pyld).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::spawn_app;

/// The document expanded by PyLD, or `None` when PyLD is not installed
/// (allowed outside CI only).
fn expand(document: &str) -> Option<Value> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("target/pyld/bin/python");
    if !python.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs PyLD (target/pyld, see .ci/run): the JSON-LD check must run there"
        );
        eprintln!(
            "SKIPPED the PyLD check: python3 -m venv target/pyld && target/pyld/bin/pip install PyLD==2.0.4"
        );
        return None;
    }
    let mut child = Command::new(python)
        .arg(root.join("tests/jsonld_check.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("PyLD starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(document.as_bytes())
        .expect("document written");
    let output = child.wait_with_output().expect("PyLD ends");
    assert!(
        output.status.success(),
        "PyLD rejected the document: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(serde_json::from_slice(&output.stdout).expect("expanded JSON"))
}

const SCHEMA: &str = "http://schema.org/";

fn values<'a>(node: &'a Value, property: &str) -> Vec<&'a Value> {
    node[format!("{SCHEMA}{property}")]
        .as_array()
        .map(|values| values.iter().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_article_is_a_news_article_with_its_entities_and_corrections() {
    let app = spawn_app().await;
    app.topic("World", None).await;
    app.create(
        "/api/v1/entities",
        json!({"name": "G7", "kind": "organisation", "website": "https://www.g7germany.de"}),
    )
    .await;
    app.entity("North Korea", "country").await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "North Korea warns G7", "summary": "Pyongyang denounced the allies.",
                   "body": "Words.", "status": "published", "source": "AFP",
                   "topics": ["world"], "entities": ["g7", "north-korea"]}),
        )
        .await;
    let id = article["id"].as_i64().expect("id");
    app.post(
        &format!("/api/v1/articles/{id}/corrections"),
        &json!({"kind": "correction", "text": "The statement came on Friday."}),
    )
    .await;

    let reply = app.get(&format!("/api/v1/articles/{id}/jsonld")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("content-type"), Some("application/ld+json"));
    let ld = &reply.json;
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(ld["headline"], "North Korea warns G7");
    assert_eq!(ld["description"], "Pyongyang denounced the allies.");
    assert_eq!(ld["datePublished"], article["published_at"]);
    let url = ld["url"].as_str().expect("url");
    assert!(
        url.starts_with("http") && url.ends_with("/north-korea-warns-g7"),
        "{url}"
    );
    assert_eq!(
        ld["about"],
        // As the article orders them: by kind, then name.
        json!([{"@type": "Country", "name": "North Korea"},
               {"@type": "Organization", "name": "G7", "sameAs": "https://www.g7germany.de"}])
    );
    assert_eq!(ld["correction"][0]["@type"], "CorrectionComment");
    assert_eq!(
        ld["correction"][0]["text"],
        "Correction: The statement came on Friday."
    );

    let Some(expanded) = expand(&reply.text) else {
        return;
    };
    let node = &expanded[0];
    assert_eq!(node["@type"], json!([format!("{SCHEMA}NewsArticle")]));
    assert_eq!(node["@id"], url);
    let about_types: Vec<&Value> = values(node, "about")
        .into_iter()
        .map(|thing| &thing["@type"][0])
        .collect();
    assert_eq!(
        about_types,
        [
            &json!(format!("{SCHEMA}Country")),
            &json!(format!("{SCHEMA}Organization"))
        ]
    );
    assert_eq!(
        values(node, "about")[1][format!("{SCHEMA}sameAs")][0]["@id"],
        "https://www.g7germany.de"
    );
    let correction = values(node, "correction")[0];
    assert_eq!(correction["@type"][0], format!("{SCHEMA}CorrectionComment"));
    assert_eq!(
        values(node, "headline")[0]["@value"],
        "North Korea warns G7"
    );
}

#[tokio::test]
async fn a_draft_has_no_public_json_ld() {
    let app = spawn_app().await;
    let draft = app
        .create(
            "/api/v1/articles",
            json!({"title": "Draft", "body": "x", "status": "draft"}),
        )
        .await;
    let path = format!("/api/v1/articles/{}/jsonld", draft["id"]);
    app.get(&path).await.assert_problem(404);
    assert_eq!(app.admin_get(&path).await.status, 200);
    app.get("/api/v1/articles/nothing-here/jsonld")
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn the_featured_image_is_the_news_articles_image_at_an_absolute_url() {
    let app = spawn_app().await;
    let photo = crate::media::uploaded(
        &app,
        "image/png",
        "?alt=Delegates&credit=Newsroom",
        crate::media::png(640, 320),
    )
    .await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "With a photo", "status": "published",
                   "featured_image": photo["id"],
                   "seo": {"description": "For search engines."}}),
        )
        .await;
    let reply = app
        .get(&format!("/api/v1/articles/{}/jsonld", article["id"]))
        .await;
    let image = &reply.json["image"][0];
    assert_eq!(image["@type"], "ImageObject");
    assert_eq!(
        image["url"],
        app.url(&format!("/api/v1/media/{}/file", photo["id"]))
    );
    assert_eq!(image["width"], 640);
    assert_eq!(image["creditText"], "Newsroom");
    assert_eq!(reply.json["description"], "For search engines.");
    if let Some(expanded) = expand(&reply.text) {
        let node = &expanded[0];
        assert_eq!(values(node, "image").len(), 1, "{expanded}");
    }
}
