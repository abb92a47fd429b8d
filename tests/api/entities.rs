use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_country_keeps_its_aliases_and_an_upper_case_code() {
    let app = spawn_app().await;
    let korea = app
        .create(
            "/api/v1/entities",
            json!({"name": "North Korea", "kind": "country", "aliases": ["DPRK", "dprk", " Democratic People's Republic of Korea "], "country_code": "kp", "website": "https://example.org/kp"}),
        )
        .await;
    assert_eq!(korea["slug"], "north-korea");
    assert_eq!(korea["kind"], "country");
    assert_eq!(korea["country_code"], "KP");
    assert_eq!(
        korea["aliases"],
        json!(["DPRK", "Democratic People's Republic of Korea"])
    );
    assert_eq!(korea["article_count"], 0);
    let fetched = app.get("/api/v1/entities/north-korea").await;
    assert_eq!(fetched.json, korea);
}

#[tokio::test]
async fn a_country_code_is_only_for_countries() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/entities",
            &json!({"name": "G7", "kind": "organisation", "country_code": "GS"}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["country_code"]);
    app.entity("G7", "organisation").await;
    let patched = app
        .patch("/api/v1/entities/g7", &json!({"country_code": "GS"}))
        .await;
    patched.assert_problem(422);
    let country = app
        .create(
            "/api/v1/entities",
            json!({"name": "Russia", "kind": "country", "country_code": "RU"}),
        )
        .await;
    let demoted = app
        .patch("/api/v1/entities/russia", &json!({"kind": "place"}))
        .await;
    demoted.assert_problem(422);
    assert_eq!(
        app.get("/api/v1/entities/russia").await.json,
        country,
        "nothing changed"
    );
}

#[tokio::test]
async fn a_malformed_or_taken_country_code_is_refused() {
    let app = spawn_app().await;
    for code in ["K", "KPR", "K1", "ü1"] {
        let reply = app
            .post(
                "/api/v1/entities",
                &json!({"name": "X", "kind": "country", "country_code": code}),
            )
            .await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), ["country_code"], "code {code}");
    }
    app.create(
        "/api/v1/entities",
        json!({"name": "North Korea", "kind": "country", "country_code": "KP"}),
    )
    .await;
    let taken = app
        .post(
            "/api/v1/entities",
            &json!({"name": "DPRK", "kind": "country", "country_code": "kp"}),
        )
        .await;
    taken.assert_problem(409);
    assert_eq!(taken.error_fields(), ["country_code"]);
}

#[tokio::test]
async fn an_unknown_kind_is_a_422_naming_the_field() {
    let app = spawn_app().await;
    let reply = app
        .post(
            "/api/v1/entities",
            &json!({"name": "Mars", "kind": "planet"}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["kind"]);
}

#[tokio::test]
async fn the_list_filters_by_kind() {
    let app = spawn_app().await;
    app.entity("Russia", "country").await;
    app.entity("G7", "organisation").await;
    app.entity("North Korea", "country").await;
    app.entity("Kim Jong Un", "person").await;
    assert_eq!(
        app.slugs("/api/v1/entities?kind=country").await,
        ["north-korea", "russia"]
    );
    assert_eq!(
        app.slugs("/api/v1/entities").await,
        ["g7", "kim-jong-un", "north-korea", "russia"]
    );
    let reply = app.get("/api/v1/entities?kind=planet").await;
    reply.assert_problem(400);
}

#[tokio::test]
async fn patch_replaces_aliases_and_null_clears_optional_fields() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/entities",
        json!({"name": "United Nations", "kind": "organisation", "aliases": ["UN"], "website": "https://un.org", "description": "d"}),
    )
    .await;
    let patched = app
        .patch(
            "/api/v1/entities/united-nations",
            &json!({"aliases": ["UN", "U.N."], "website": null}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json["aliases"], json!(["UN", "U.N."]));
    assert_eq!(patched.json["website"], json!(null));
    assert_eq!(patched.json["description"], "d");
    let bad_url = app
        .patch(
            "/api/v1/entities/united-nations",
            &json!({"website": "javascript:alert(1)"}),
        )
        .await;
    bad_url.assert_problem(422);
    assert_eq!(bad_url.error_fields(), ["website"]);
}

#[tokio::test]
async fn put_replaces_the_whole_entity() {
    let app = spawn_app().await;
    app.create(
        "/api/v1/entities",
        json!({"name": "UN", "kind": "organisation", "aliases": ["U.N."]}),
    )
    .await;
    let replaced = app
        .put(
            "/api/v1/entities/un",
            &json!({"name": "United Nations", "kind": "organisation"}),
        )
        .await;
    assert_eq!(replaced.status, 200);
    assert_eq!(replaced.json["slug"], "un");
    assert_eq!(replaced.json["aliases"], json!([]));
    let missing_kind = app
        .put("/api/v1/entities/un", &json!({"name": "United Nations"}))
        .await;
    missing_kind.assert_problem(422);
    assert_eq!(missing_kind.error_fields(), ["kind"]);
}

#[tokio::test]
async fn delete_untags_articles_and_counts_follow() {
    let app = spawn_app().await;
    app.entity("North Korea", "country").await;
    app.entity("G7", "organisation").await;
    let article = app.article("Summit", &[], &["north-korea", "g7"]).await;
    assert_eq!(
        app.get("/api/v1/entities/g7").await.json["article_count"],
        1
    );
    assert_eq!(app.delete("/api/v1/entities/g7").await.status, 204);
    app.get("/api/v1/entities/g7").await.assert_problem(404);
    let article = app
        .get(&format!("/api/v1/articles/{}", article["id"]))
        .await;
    let slugs: Vec<&str> = article.json["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["north-korea"]);
}

#[tokio::test]
async fn article_count_ignores_unpublished_articles() {
    let app = spawn_app().await;
    app.entity("Russia", "country").await;
    app.article("Published", &[], &["russia"]).await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Draft", "entities": ["russia"]}),
    )
    .await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Archived", "status": "archived", "entities": ["russia"]}),
    )
    .await;
    assert_eq!(
        app.get("/api/v1/entities/russia").await.json["article_count"],
        1
    );
}
