//! `facets=` on `GET /articles`: the top values over the whole filtered
//! set, distinct articles, what the reader may see.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

async fn story(app: &TestApp, title: &str, published_at: &str, extra: Value) -> Value {
    let mut body = json!({"title": title, "body": "Words.", "status": "published",
                          "published_at": published_at});
    for (key, value) in extra.as_object().unwrap() {
        body[key] = value.clone();
    }
    app.create("/api/v1/articles", body).await
}

/// World (with Asia and Europe below it) and Sport; two countries and an
/// organisation; five published stories in two months and a draft.
async fn newsroom(app: &TestApp) {
    app.topic("World", None).await;
    app.topic("Asia", Some("world")).await;
    app.topic("Europe", Some("world")).await;
    app.topic("Sport", None).await;
    app.entity("North Korea", "country").await;
    app.entity("Russia", "country").await;
    app.entity("G7", "organisation").await;
    story(
        app,
        "One",
        "2024-05-01T09:00:00Z",
        json!({"topics": ["asia", "europe"], "entities": ["north-korea", "russia", "g7"], "source": "AFP"}),
    )
    .await;
    story(
        app,
        "Two",
        "2024-05-02T09:00:00Z",
        json!({"topics": ["asia"], "entities": ["north-korea"], "source": "AFP"}),
    )
    .await;
    story(
        app,
        "Three",
        "2024-05-03T09:00:00Z",
        json!({"topics": ["world"], "entities": ["russia"], "source": "Reuters"}),
    )
    .await;
    story(
        app,
        "Four",
        "2024-06-01T09:00:00Z",
        json!({"topics": ["sport"], "entities": ["north-korea"]}),
    )
    .await;
    story(
        app,
        "Five",
        "2024-06-02T09:00:00Z",
        json!({"topics": ["sport"]}),
    )
    .await;
    app.create(
        "/api/v1/articles",
        json!({"title": "Draft", "body": "Words.", "status": "draft",
               "topics": ["sport"], "entities": ["g7"], "source": "AFP"}),
    )
    .await;
}

/// A facet as `(slug or value, count)` pairs, in the order served.
fn pairs(reply: &Value, facet: &str) -> Vec<(String, i64)> {
    reply["meta"]["facets"][facet]
        .as_array()
        .unwrap_or_else(|| panic!("no {facet} facet in {reply}"))
        .iter()
        .map(|value| {
            let label = value["slug"]
                .as_str()
                .or(value["value"].as_str())
                .or(value["display_name"].as_str())
                .unwrap()
                .to_owned();
            (label, value["count"].as_i64().unwrap())
        })
        .collect()
}

fn owned(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected
        .iter()
        .map(|(label, count)| ((*label).to_owned(), *count))
        .collect()
}

const ALL: &str = "topic,entity,kind,country,source,author,month";

#[tokio::test]
async fn facet_counts_match_a_hand_count_of_the_published_stories() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let reply = app.get(&format!("/api/v1/articles?facets={ALL}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let json = &reply.json;
    // World covers One, Two (Asia, Europe) and Three: three articles, One once.
    assert_eq!(
        pairs(json, "topic"),
        owned(&[("world", 3), ("asia", 2), ("sport", 2), ("europe", 1)])
    );
    assert_eq!(
        pairs(json, "entity"),
        owned(&[("north-korea", 3), ("russia", 2), ("g7", 1)])
    );
    assert_eq!(
        pairs(json, "country"),
        owned(&[("north-korea", 3), ("russia", 2)])
    );
    // One is tagged with two countries: it counts once for the kind.
    assert_eq!(
        pairs(json, "kind"),
        owned(&[("country", 4), ("organisation", 1)])
    );
    assert_eq!(pairs(json, "source"), owned(&[("AFP", 2), ("Reuters", 1)]));
    assert_eq!(
        pairs(json, "month"),
        owned(&[("2024-05", 3), ("2024-06", 2)])
    );
    let authors = json["meta"]["facets"]["author"].as_array().unwrap();
    assert_eq!(authors.len(), 1);
    assert_eq!(authors[0]["count"], 5);
    assert!(authors[0]["id"].is_i64() && authors[0]["display_name"].is_string());
    assert_eq!(authors[0]["slug"], "administrator", "what ?author= takes");
    let entity = &json["meta"]["facets"]["entity"][0];
    assert_eq!(entity["name"], "North Korea");
    assert_eq!(entity["kind"], "country");
    assert_eq!(json["meta"]["facets"]["topic"][0]["name"], "World");
}

#[tokio::test]
async fn facets_count_the_whole_set_not_the_page() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let reply = app
        .get("/api/v1/articles?facets=entity&per_page=1&page=2")
        .await;
    assert_eq!(reply.json["data"].as_array().unwrap().len(), 1);
    assert_eq!(
        pairs(&reply.json, "entity"),
        owned(&[("north-korea", 3), ("russia", 2), ("g7", 1)])
    );
}

#[tokio::test]
async fn only_the_facets_asked_for_are_counted() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let reply = app.get("/api/v1/articles?facets=month").await;
    let facets = reply.json["meta"]["facets"].as_object().unwrap();
    assert_eq!(facets.keys().collect::<Vec<_>>(), ["month"]);
    let plain = app.get("/api/v1/articles").await;
    assert!(plain.json["meta"].get("facets").is_none());
}

#[tokio::test]
async fn drafts_are_not_counted_for_anonymous_readers_but_are_for_editors() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let public = app.get("/api/v1/articles?facets=entity,source").await;
    assert_eq!(
        pairs(&public.json, "entity"),
        owned(&[("north-korea", 3), ("russia", 2), ("g7", 1)])
    );
    assert_eq!(
        pairs(&public.json, "source"),
        owned(&[("AFP", 2), ("Reuters", 1)])
    );
    let staff = app
        .get_as(&app.admin_token, "/api/v1/articles?facets=entity,source")
        .await;
    assert_eq!(
        pairs(&staff.json, "entity"),
        owned(&[("north-korea", 3), ("g7", 2), ("russia", 2)])
    );
    assert_eq!(
        pairs(&staff.json, "source"),
        owned(&[("AFP", 3), ("Reuters", 1)])
    );
    // The public view asked for by an editor counts what the public sees.
    let published = app
        .get_as(
            &app.admin_token,
            "/api/v1/articles?facets=entity&status=published",
        )
        .await;
    assert_eq!(
        pairs(&published.json, "entity"),
        pairs(&public.json, "entity")
    );
}

#[tokio::test]
async fn the_lists_filters_apply_to_the_facets() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let sport = app
        .get("/api/v1/articles?topic=sport&facets=entity,month")
        .await;
    assert_eq!(pairs(&sport.json, "entity"), owned(&[("north-korea", 1)]));
    assert_eq!(pairs(&sport.json, "month"), owned(&[("2024-06", 2)]));
    let korea = app
        .get("/api/v1/articles?entity=north-korea&facets=topic,source")
        .await;
    assert_eq!(
        pairs(&korea.json, "topic"),
        owned(&[("asia", 2), ("world", 2), ("europe", 1), ("sport", 1)])
    );
    assert_eq!(pairs(&korea.json, "source"), owned(&[("AFP", 2)]));
    let may = app
        .get("/api/v1/articles?from=2024-05-01&to=2024-05-31&facets=kind")
        .await;
    assert_eq!(
        pairs(&may.json, "kind"),
        owned(&[("country", 3), ("organisation", 1)])
    );
    let searched = app.get("/api/v1/articles?q=three&facets=entity").await;
    assert_eq!(searched.status, 200, "{}", searched.text);
    assert_eq!(pairs(&searched.json, "entity"), owned(&[("russia", 1)]));
}

#[tokio::test]
async fn the_kept_counts_and_a_count_of_the_rows_agree() {
    let app = spawn_app().await;
    newsroom(&app).await;
    // The front page reads the kept counts; a date filter covering every
    // story makes the same set counted from the rows.
    let kept = app.get(&format!("/api/v1/articles?facets={ALL}")).await;
    let counted = app
        .get(&format!("/api/v1/articles?from=2000-01-01&facets={ALL}"))
        .await;
    assert_eq!(kept.json["meta"]["facets"], counted.json["meta"]["facets"]);
}

#[tokio::test]
async fn facets_follow_changes_to_the_articles() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let path = "/api/v1/articles?topic=sport&facets=entity";
    assert_eq!(
        pairs(&app.get(path).await.json, "entity"),
        owned(&[("north-korea", 1)])
    );
    let five = app.get("/api/v1/articles/five").await;
    let reply = app
        .patch(
            &format!("/api/v1/articles/{}", five.json["id"]),
            &json!({"entities": ["g7"]}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        pairs(&app.get(path).await.json, "entity"),
        owned(&[("g7", 1), ("north-korea", 1)])
    );
}

#[tokio::test]
async fn unknown_facets_are_a_422_naming_them() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let reply = app.get("/api/v1/articles?facets=entity,colour,mood").await;
    let problem = reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["facets"]);
    let message = problem["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("colour") && message.contains("mood"),
        "{message}"
    );
    app.get("/api/v1/articles?facets=")
        .await
        .assert_problem(422);
}

#[tokio::test]
async fn facets_and_fields_combine() {
    let app = spawn_app().await;
    newsroom(&app).await;
    let reply = app
        .get("/api/v1/articles?fields=id,slug&facets=topic")
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let item = reply.json["data"][0].as_object().unwrap();
    assert_eq!(item.len(), 2);
    assert_eq!(pairs(&reply.json, "topic")[0], ("world".to_owned(), 3));
    let plain = app.get("/api/v1/articles?fields=id,slug").await;
    assert_ne!(plain.header("etag"), reply.header("etag"));
}
