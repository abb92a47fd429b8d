//! `/authors`: staff who have published, as readers see them, edited by
//! themselves through `PATCH /auth/me`.

use reqwest::Method;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn only_staff_with_a_public_article_are_authors_and_nothing_private_shows() {
    let app = spawn_app().await;
    let (_, token) = app.staff("author").await;
    let me = app.get_as(&token, "/api/v1/auth/me").await;
    let slug = me.json["slug"].as_str().unwrap().to_owned();
    assert!(!slug.is_empty(), "every account has a slug: {}", me.json);
    app.json_as(
        &token,
        Method::POST,
        "/api/v1/articles",
        &json!({"title": "A draft"}),
    )
    .await;
    app.get(&format!("/api/v1/authors/{slug}"))
        .await
        .assert_problem(404);
    let listed = app.get("/api/v1/authors").await;
    assert_eq!(listed.json["data"], json!([]), "drafts make no author");

    let published = app
        .json_as(
            &token,
            Method::POST,
            "/api/v1/articles",
            &json!({"title": "Out now", "status": "published"}),
        )
        .await;
    assert_eq!(published.status, 201, "{}", published.text);
    let author = app.get(&format!("/api/v1/authors/{slug}")).await;
    assert_eq!(author.status, 200, "{}", author.text);
    assert_eq!(author.json["article_count"], 1);
    assert_eq!(
        author.json["url"],
        format!("http://127.0.0.1:0/authors/{slug}")
    );
    for private in ["email", "role", "active", "password_hash"] {
        assert!(author.json.get(private).is_none(), "{private} shows");
    }
    let by_id = app.get(&format!("/api/v1/authors/{}", me.json["id"])).await;
    assert_eq!(by_id.json["slug"], slug.as_str());
    let listed = app.get("/api/v1/authors").await;
    assert_eq!(listed.json["data"][0]["slug"], slug.as_str());
    assert_eq!(listed.header("x-total-count"), Some("1"));

    let embedded = &published.json["author"];
    assert_eq!(embedded["slug"], slug.as_str());
    assert_eq!(embedded["url"], author.json["url"]);
    assert_eq!(
        app.slugs(&format!("/api/v1/articles?author={slug}")).await,
        ["out-now"]
    );
    assert_eq!(
        app.slugs(&format!("/api/v1/articles?author={}", me.json["id"]))
            .await,
        ["out-now"]
    );
}

#[tokio::test]
async fn an_unknown_author_filter_is_a_422_naming_it() {
    let app = spawn_app().await;
    let reply = app.get("/api/v1/articles?author=nobody-here").await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["author"]);
}

#[tokio::test]
async fn staff_edit_their_own_profile_and_the_old_slug_redirects() {
    let app = spawn_app().await;
    let (_, token) = app.staff("author").await;
    app.json_as(
        &token,
        Method::POST,
        "/api/v1/articles",
        &json!({"title": "Out now", "status": "published"}),
    )
    .await;
    let before = app.get_as(&token, "/api/v1/auth/me").await;
    let old_slug = before.json["slug"].as_str().unwrap().to_owned();
    let changed = app
        .json_as(
            &token,
            Method::PATCH,
            "/api/v1/auth/me",
            &json!({"slug": "kim-reporter", "bio": "Reports from Seoul.", "display_name": "Kim Reporter"}),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.json["slug"], "kim-reporter");
    assert_eq!(changed.json["bio"], "Reports from Seoul.");
    assert_eq!(changed.json["role"], before.json["role"]);
    let author = app.get("/api/v1/authors/kim-reporter").await;
    assert_eq!(author.json["display_name"], "Kim Reporter");
    let moved = app.get(&format!("/api/v1/authors/{old_slug}")).await;
    assert_eq!(moved.status, 301);
    assert_eq!(
        moved.header("location"),
        Some("/api/v1/authors/kim-reporter")
    );
    assert_eq!(moved.json["slug"], "kim-reporter");
    assert_eq!(
        app.slugs(&format!("/api/v1/articles?author={old_slug}"))
            .await,
        ["out-now"],
        "an old slug still filters"
    );
    let article = app.get("/api/v1/articles/out-now").await;
    assert_eq!(
        article.json["author"]["slug"], "kim-reporter",
        "no stale byline"
    );

    let cleared = app
        .json_as(
            &token,
            Method::PATCH,
            "/api/v1/auth/me",
            &json!({"bio": null}),
        )
        .await;
    assert_eq!(cleared.json["bio"], json!(null));
    assert_eq!(cleared.json["slug"], "kim-reporter", "absent fields stay");
}

#[tokio::test]
async fn a_profile_cannot_take_anothers_slug_or_change_its_role() {
    let app = spawn_app().await;
    let (_, first) = app.staff("author").await;
    let (_, second) = app.staff("author").await;
    let taken = app.get_as(&first, "/api/v1/auth/me").await.json["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    app.json_as(
        &second,
        Method::PATCH,
        "/api/v1/auth/me",
        &json!({"slug": taken}),
    )
    .await
    .assert_problem(409);
    let reply = app
        .json_as(
            &second,
            Method::PATCH,
            "/api/v1/auth/me",
            &json!({"role": "admin"}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["role"]);
    let reply = app
        .json_as(
            &second,
            Method::PATCH,
            "/api/v1/auth/me",
            &json!({"slug": "Not A Slug", "avatar": 999, "bio": "x".repeat(2001)}),
        )
        .await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["bio", "slug"]);
    let reply = app
        .json_as(
            &second,
            Method::PATCH,
            "/api/v1/auth/me",
            &json!({"avatar": 999}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["avatar"]);
    app.json(Method::PATCH, "/api/v1/auth/me", &json!({"bio": "x"}))
        .await;
    let anonymous = app
        .send(
            app.client
                .patch(app.url("/api/v1/auth/me"))
                .json(&json!({"bio": "x"})),
        )
        .await;
    anonymous.assert_problem(401);
}
