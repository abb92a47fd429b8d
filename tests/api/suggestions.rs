//! Entity suggestions: the demo newsroom's entities found in a wire story.

use diesel::prelude::*;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

const STORY: &str = include_str!("../fixtures/sample-article.txt");
const FIRST_DEMO_STORY: &str = "allies-demand-an-end-to-north-korean-arms-transfers-to-russia";

/// A server with the demo newsroom, loaded as `newsdesk demo` does, by a
/// connection of its own (as another process would).
async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    let mut conn = app.connection();
    newsdesk::ops::demo::load(&mut conn, None).unwrap();
    app
}

async fn suggest(app: &TestApp, body: &Value) -> Vec<Value> {
    let reply = app.post("/api/v1/entity-suggestions", body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json.as_array().expect("an array").clone()
}

fn by_slug<'a>(suggestions: &'a [Value], slug: &str) -> Option<&'a Value> {
    suggestions.iter().find(|s| s["entity"]["slug"] == slug)
}

/// How many times `pattern` (a regex) matches `text`: counted apart from
/// the server's matcher.
fn occurrences(pattern: &str, text: &str) -> u64 {
    regex::Regex::new(pattern).unwrap().find_iter(text).count() as u64
}

/// The characters `start..end` of `text`.
fn chars(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

#[tokio::test]
async fn the_wire_story_mentions_the_demo_entities_at_character_offsets() {
    let app = demo_app().await;
    let found = suggest(&app, &json!({"text": STORY})).await;

    let north_korea = by_slug(&found, "north-korea").expect("North Korea is suggested");
    // "North Korean" is not a mention; "DPRK" is, by the alias.
    let expected = occurrences(r"\bNorth Korea\b", STORY) + occurrences(r"\bDPRK\b", STORY);
    assert_eq!(north_korea["count"], expected);
    assert!(north_korea["entity"]["kind"] == "country" && north_korea["entity"]["id"].is_i64());
    let dprk: Vec<&Value> = north_korea["matches"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["matched"] == "DPRK")
        .collect();
    assert_eq!(dprk.len() as u64, occurrences(r"\bDPRK\b", STORY));
    let first_dprk = STORY[..STORY.find("DPRK").unwrap()].chars().count() as u64;
    assert_eq!(dprk[0]["start"], first_dprk);
    assert_eq!(dprk[0]["end"], first_dprk + 4);

    // "Russia’s" mentions Russia, "Russian" does not.
    let russia = by_slug(&found, "russia").expect("Russia is suggested");
    assert_eq!(russia["count"], occurrences(r"\bRussia\b", STORY));
    assert!(russia["matches"].as_array().unwrap().iter().any(|m| {
        let end = m["end"].as_u64().unwrap();
        chars(STORY, end, end + 2) == "’s"
    }));

    // Every offset is in characters of the text as sent (it has curly
    // quotes and a bullet before the first mention).
    for suggestion in &found {
        for m in suggestion["matches"].as_array().unwrap() {
            let (start, end) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
            assert_eq!(chars(STORY, start, end), m["text"].as_str().unwrap(), "{m}");
            assert!(m.get("field").is_none());
        }
        assert_eq!(
            suggestion["count"].as_u64().unwrap() as usize,
            suggestion["matches"].as_array().unwrap().len()
        );
        assert_eq!(suggestion["tagged"], false);
    }

    // "U.S." and "EU" as written; "U.N. Security Council" is the UN (by
    // its alias U.N.), as the council is known here only as "UN Security
    // Council" and "UNSC".
    for slug in [
        "united-states",
        "european-union",
        "united-nations",
        "ukraine",
        "japan",
    ] {
        assert!(by_slug(&found, slug).is_some(), "{slug} in {found:?}");
    }
    for slug in ["g7", "un-security-council", "kim-jong-un"] {
        assert!(
            by_slug(&found, slug).is_none(),
            "{slug} is not in the story"
        );
    }
    // The most mentioned first.
    let counts: Vec<u64> = found.iter().map(|s| s["count"].as_u64().unwrap()).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
    assert_eq!(found[0]["entity"]["slug"], "north-korea");
}

#[tokio::test]
async fn short_aliases_match_only_as_written_and_longer_names_in_any_case() {
    let app = demo_app().await;
    let lower = STORY.to_lowercase();
    let found = suggest(&app, &json!({"text": lower})).await;
    // "dprk" and "russia" in lower case are still mentions.
    assert_eq!(
        by_slug(&found, "north-korea").unwrap()["count"],
        occurrences(r"\bnorth korea\b", &lower) + occurrences(r"\bdprk\b", &lower)
    );
    assert!(by_slug(&found, "russia").is_some());
    // "eu" and "u.n." are not "EU" and "U.N."; "the united states" is the
    // name, in any case, but "u.s." is not "U.S.".
    assert!(by_slug(&found, "european-union").is_none(), "{found:?}");
    assert!(by_slug(&found, "united-nations").is_none(), "{found:?}");
    let us = by_slug(&found, "united-states").unwrap();
    assert!(
        us["matches"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["matched"] == "United States"),
        "{us}"
    );

    let g7 = suggest(&app, &json!({"text": "G7 ministers met; the g7 did not."})).await;
    assert_eq!(g7.len(), 1);
    assert_eq!(g7[0]["entity"]["slug"], "g7");
    assert_eq!(
        g7[0]["matches"],
        json!([{"text": "G7", "start": 0, "end": 2, "matched": "G7"}])
    );
}

#[tokio::test]
async fn the_longest_name_wins_on_word_boundaries() {
    let app = demo_app().await;
    let text = "The UN Security Council met. North Koreans and the UNSC; Korea’s DPRK-Russia ties.";
    let found = suggest(&app, &json!({"text": text})).await;
    let council = by_slug(&found, "un-security-council").unwrap();
    assert_eq!(council["count"], 2);
    assert_eq!(council["matches"][0]["text"], "UN Security Council");
    assert_eq!(council["matches"][0]["start"], 4);
    // The "UN" inside the council's name is not the United Nations.
    assert!(by_slug(&found, "united-nations").is_none(), "{found:?}");
    let north_korea = by_slug(&found, "north-korea").unwrap();
    assert_eq!(north_korea["count"], 1, "North Koreans is no mention");
    assert_eq!(north_korea["matches"][0]["text"], "DPRK");
    assert_eq!(by_slug(&found, "russia").unwrap()["count"], 1);
}

#[tokio::test]
async fn entities_the_article_is_tagged_with_are_marked() {
    let app = demo_app().await;
    let article = app
        .admin_get(&format!("/api/v1/articles/{FIRST_DEMO_STORY}"))
        .await
        .json;
    let found = suggest(&app, &json!({"text": STORY, "article_id": article["id"]})).await;
    for slug in ["north-korea", "russia", "ukraine", "united-states"] {
        assert_eq!(by_slug(&found, slug).unwrap()["tagged"], true, "{slug}");
    }
    for slug in ["japan", "european-union"] {
        assert_eq!(by_slug(&found, slug).unwrap()["tagged"], false, "{slug}");
    }

    // An article's own suggestions: its fields, with offsets in each.
    let reply = app
        .admin_get(&format!(
            "/api/v1/articles/{FIRST_DEMO_STORY}/entity-suggestions"
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(reply.header("etag").is_some());
    let found = reply.json.as_array().unwrap();
    let title = article["title"].as_str().unwrap();
    let russia = by_slug(found, "russia").unwrap();
    assert_eq!(russia["tagged"], true);
    let in_title = &russia["matches"][0];
    assert_eq!(in_title["field"], "title");
    let (start, end) = (
        in_title["start"].as_u64().unwrap(),
        in_title["end"].as_u64().unwrap(),
    );
    assert_eq!(chars(title, start, end), "Russia");
    assert!(
        russia["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["field"] == "summary")
    );
}

#[tokio::test]
async fn a_new_entity_or_alias_is_suggested_at_once_from_any_process() {
    let app = demo_app().await;
    let text = json!({"text": STORY});
    assert!(by_slug(&suggest(&app, &text).await, "us-state-department").is_none());

    // Created through the API: suggested by the very next request.
    app.create(
        "/api/v1/entities",
        json!({"name": "US State Department", "kind": "organisation", "aliases": ["State Department"]}),
    )
    .await;
    let found = suggest(&app, &text).await;
    let department = by_slug(&found, "us-state-department").expect("the new entity");
    assert_eq!(department["count"], 1);
    assert_eq!(department["matches"][0]["text"], "State Department");

    // An alias written by another process (the CLI, another server on the
    // same database) reaches this server's matcher too.
    let mut conn = app.connection();
    diesel::sql_query(
        "INSERT INTO entity_aliases (entity_id, position, alias) \
         SELECT id, 9, 'Hwasong-11' FROM entities WHERE slug = 'kharkiv'",
    )
    .execute(&mut conn)
    .unwrap();
    let kharkiv = suggest(&app, &text).await;
    let kharkiv = by_slug(&kharkiv, "kharkiv").unwrap();
    assert_eq!(kharkiv["count"], 2, "{kharkiv}");

    // Renamed away: no longer suggested.
    let reply = app
        .patch(
            "/api/v1/entities/us-state-department",
            &json!({"aliases": []}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(by_slug(&suggest(&app, &text).await, "us-state-department").is_none());
}

#[tokio::test]
async fn suggestions_are_for_staff_and_authors_only_for_their_own_articles() {
    let app = demo_app().await;
    let anonymous = app
        .json_as(
            "",
            Method::POST,
            "/api/v1/entity-suggestions",
            &json!({"text": STORY}),
        )
        .await;
    anonymous.assert_problem(401);
    app.get(&format!(
        "/api/v1/articles/{FIRST_DEMO_STORY}/entity-suggestions"
    ))
    .await
    .assert_problem(401);

    let (_, author) = app.staff("author").await;
    let reply = app
        .json_as(
            &author,
            Method::POST,
            "/api/v1/entity-suggestions",
            &json!({"text": STORY}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    // Another author's published story: visible, but not theirs to tag.
    app.get_as(
        &author,
        &format!("/api/v1/articles/{FIRST_DEMO_STORY}/entity-suggestions"),
    )
    .await
    .assert_problem(403);
    // Another author's draft: invisible, as if it did not exist.
    let draft = "draft-leaders-expected-at-next-g7-summit";
    app.get_as(
        &author,
        &format!("/api/v1/articles/{draft}/entity-suggestions"),
    )
    .await
    .assert_problem(404);
    let draft_id = app
        .admin_get(&format!("/api/v1/articles/{draft}"))
        .await
        .json["id"]
        .clone();
    let reply = app
        .json_as(
            &author,
            Method::POST,
            "/api/v1/entity-suggestions",
            &json!({"text": STORY, "article_id": draft_id}),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["article_id"]);
    // Their own article is theirs.
    let own = app
        .json_as(
            &author,
            Method::POST,
            "/api/v1/articles",
            &json!({"title": "Moscow and Pyongyang", "body": STORY}),
        )
        .await;
    let found = app
        .get_as(
            &author,
            &format!("/api/v1/articles/{}/entity-suggestions", own.json["id"]),
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert_eq!(
        by_slug(found.json.as_array().unwrap(), "moscow").unwrap()["count"],
        2
    );
    app.admin_get("/api/v1/articles/no-such-story/entity-suggestions")
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn empty_blank_or_oversized_text_is_a_422() {
    let app = demo_app().await;
    let too_long = "Russia ".repeat(100_000 / 7 + 1);
    for body in [
        json!({"text": ""}),
        json!({"text": " \n\t "}),
        json!({"text": too_long}),
        json!({}),
        json!({"text": 7}),
    ] {
        let reply = app.post("/api/v1/entity-suggestions", &body).await;
        reply.assert_problem(422);
        assert_eq!(reply.error_fields(), ["text"], "{}", reply.text);
    }
    let reply = app
        .post(
            "/api/v1/entity-suggestions",
            &json!({"text": "Russia", "extra": 1}),
        )
        .await;
    reply.assert_problem(422);
    // Exactly the limit is fine.
    let at_limit: String = "Russia "
        .repeat(100_000 / 7 + 1)
        .chars()
        .take(100_000)
        .collect();
    assert_eq!(
        by_slug(&suggest(&app, &json!({"text": at_limit})).await, "russia").unwrap()["count"],
        100_000 / 7
    );
}
