//! An article's featured image and SEO fields: media ids in writes, media
//! records in reads (lists included), alt text required to publish.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use crate::media::{png, uploaded};

async fn image(app: &TestApp, query: &str) -> Value {
    uploaded(app, "image/png", query, png(800, 400)).await
}

#[tokio::test]
async fn the_featured_image_and_seo_show_in_the_article_and_in_lists() {
    let app = spawn_app().await;
    let photo = image(&app, "?alt=Delegates%20at%20the%20summit&credit=Newsroom").await;
    let card = image(&app, "?alt=Card").await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "G7 summit opens", "status": "published",
                   "featured_image": photo["id"],
                   "seo": {"title": "G7 summit opens in Hiroshima",
                           "description": "Leaders meet on Russia and North Korea.",
                           "canonical_url": "https://wire.example/g7",
                           "image": card["id"]}}),
        )
        .await;
    assert_eq!(article["featured_image"], photo);
    assert_eq!(article["seo"]["title"], "G7 summit opens in Hiroshima");
    assert_eq!(article["seo"]["canonical_url"], "https://wire.example/g7");
    assert_eq!(article["seo"]["image"], card);
    let listed = app.get("/api/v1/articles").await;
    assert_eq!(listed.json["data"][0]["featured_image"], photo);
    assert_eq!(listed.json["data"][0]["seo"], article["seo"]);

    let path = format!("/api/v1/articles/{}", article["id"]);
    let cleared = app
        .patch(&path, &json!({"seo": null, "featured_image": null}))
        .await;
    assert_eq!(cleared.status, 200, "{}", cleared.text);
    assert_eq!(cleared.json["featured_image"], Value::Null);
    assert_eq!(
        cleared.json["seo"],
        json!({"title": null, "description": null, "canonical_url": null, "image": null})
    );
    assert!(cleared.json["version"].as_i64() > article["version"].as_i64());
}

#[tokio::test]
async fn publishing_with_a_featured_image_without_alt_is_a_422() {
    let app = spawn_app().await;
    let photo = image(&app, "").await;
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({"title": "No alt", "status": "published", "featured_image": photo["id"]}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["featured_image"]);

    let draft = app
        .create(
            "/api/v1/articles",
            json!({"title": "No alt", "featured_image": photo["id"]}),
        )
        .await;
    let path = format!("/api/v1/articles/{}", draft["id"]);
    let reply = app.patch(&path, &json!({"status": "published"})).await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["featured_image"]);

    let media_path = format!("/api/v1/media/{}", photo["id"]);
    let described = app
        .patch(&media_path, &json!({"alt": "A quiet street"}))
        .await;
    assert_eq!(described.status, 200, "{}", described.text);
    let published = app.patch(&path, &json!({"status": "published"})).await;
    assert_eq!(published.status, 200, "{}", published.text);

    let reply = app.patch(&media_path, &json!({"alt": null})).await;
    reply.assert_problem(422);
    assert_eq!(
        reply.error_fields(),
        ["alt"],
        "a published story keeps its alt text"
    );
}

#[tokio::test]
async fn unknown_media_ids_are_422s_naming_the_field() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({"title": "Ghost", "featured_image": 999, "seo": {"image": 998}}),
        )
        .await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["featured_image", "seo.image"]);
    let reply = app
        .post(
            "/api/v1/articles",
            &json!({"title": "Bad", "seo": {"canonical_url": "not a url", "extra": 1}}),
        )
        .await;
    assert!(
        matches!(reply.status.as_u16(), 400 | 422),
        "unknown seo fields are refused: {}",
        reply.text
    );
}

#[tokio::test]
async fn media_in_use_cannot_be_deleted_until_it_is_released() {
    let app = spawn_app().await;
    let photo = image(&app, "?alt=Photo").await;
    let avatar = image(&app, "?alt=Portrait").await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "With photo", "featured_image": photo["id"]}),
        )
        .await;
    app.patch("/api/v1/auth/me", &json!({"avatar": avatar["id"]}))
        .await;
    let reply = app.delete(&format!("/api/v1/media/{}", photo["id"])).await;
    reply.assert_problem(409);
    assert!(reply.json["detail"].as_str().unwrap().contains("article"));
    app.delete(&format!("/api/v1/media/{}", avatar["id"]))
        .await
        .assert_problem(409);
    app.patch(
        &format!("/api/v1/articles/{}", article["id"]),
        &json!({"featured_image": null}),
    )
    .await;
    app.patch("/api/v1/auth/me", &json!({"avatar": null})).await;
    assert_eq!(
        app.delete(&format!("/api/v1/media/{}", photo["id"]))
            .await
            .status,
        204
    );
    assert_eq!(
        app.delete(&format!("/api/v1/media/{}", avatar["id"]))
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn a_change_to_the_image_shows_in_every_cached_answer_that_embeds_it() {
    let app = spawn_app().await;
    let photo = image(&app, "?alt=Before").await;
    let article = app
        .create(
            "/api/v1/articles",
            json!({"title": "Cached", "status": "published", "featured_image": photo["id"]}),
        )
        .await;
    let path = format!("/api/v1/articles/{}", article["slug"].as_str().unwrap());
    // Warm the answer caches.
    assert_eq!(app.get(&path).await.json["featured_image"]["alt"], "Before");
    assert_eq!(
        app.get("/api/v1/articles").await.json["data"][0]["featured_image"]["alt"],
        "Before"
    );
    app.patch(
        &format!("/api/v1/media/{}", photo["id"]),
        &json!({"alt": "After", "caption": "New caption"}),
    )
    .await;
    let single = app.get(&path).await;
    assert_eq!(single.json["featured_image"]["alt"], "After");
    assert_eq!(single.json["featured_image"]["caption"], "New caption");
    assert_eq!(
        app.get("/api/v1/articles").await.json["data"][0]["featured_image"]["alt"],
        "After"
    );
}

#[tokio::test]
async fn a_restored_revision_brings_back_the_featured_image_and_seo() {
    let app = spawn_app().await;
    let photo = image(&app, "?alt=Photo").await;
    let article = app
        .create(
            "/api/v1/articles",
            // Published: its versions are kept, not folded like a draft's.
            json!({"title": "Restorable", "status": "published", "featured_image": photo["id"],
                   "seo": {"title": "For search"}}),
        )
        .await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let cleared = app
        .patch(&path, &json!({"featured_image": null, "seo": null}))
        .await;
    assert_eq!(cleared.json["featured_image"], Value::Null);
    let restored = app
        .post(
            &format!("{path}/revisions/{}/restore", article["version"]),
            &json!({}),
        )
        .await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    assert_eq!(restored.json["featured_image"]["id"], photo["id"]);
    assert_eq!(restored.json["seo"]["title"], "For search");
}
