//! Every list, filter and search query of articles uses an index: no full
//! scan of articles or of the link tables, whatever the filters.

use diesel::prelude::*;
use newsdesk::domain::{ArticleStatus, EntityKind, Role};
use newsdesk::store::articles::{
    self, ArticleFilter, Audience, PageSpec, Sort, SortKey, StatusFilter,
};
use newsdesk::store::{PageRequest, entities, search, topics};

/// A newsroom with enough rows (and fresh statistics) for SQLite's planner
/// to choose as it would in production.
fn newsroom() -> (tempfile::TempDir, newsdesk::db::DbPool) {
    let dir = tempfile::tempdir().unwrap();
    let pool = newsdesk::db::connect(dir.path().join("plans.db").to_str().unwrap(), 1).unwrap();
    let mut conn = pool.get().unwrap();
    newsdesk::db::write_transaction(&mut conn, |conn| {
        let reporter = newsdesk::store::users::create(
            conn,
            &newsdesk::store::users::NewUser {
                email: "reporter@example.org".into(),
                display_name: "Reporter".into(),
                role: Role::Author,
                password_hash: None,
                active: true,
                slug: None,
                bio: None,
                avatar_id: None,
            },
        )?;
        for (name, parent) in [("World", None), ("Asia", Some("world")), ("Sport", None)] {
            topics::create(
                conn,
                &topics::NewTopic {
                    slug: None,
                    name: name.into(),
                    description: None,
                    parent: parent.map(Into::into),
                },
            )?;
        }
        for (name, kind) in [
            ("North Korea", EntityKind::Country),
            ("Russia", EntityKind::Country),
            ("G7", EntityKind::Organisation),
            ("Kim Jong Un", EntityKind::Person),
        ] {
            entities::create(
                conn,
                &entities::NewEntity {
                    slug: None,
                    name: name.into(),
                    kind,
                    description: None,
                    aliases: vec!["alias".into()],
                    country_code: None,
                    website: None,
                },
            )?;
        }
        for n in 0..400 {
            let status = [
                ArticleStatus::Published,
                ArticleStatus::Published,
                ArticleStatus::Published,
                ArticleStatus::Draft,
                ArticleStatus::Archived,
            ][n % 5];
            articles::create(
                conn,
                &articles::NewArticle {
                    slug: None,
                    title: format!("Story {n} about sanctions"),
                    subtitle: None,
                    summary: None,
                    // Bodies of news length: a scan of the table is then as
                    // costly as it is in production.
                    body: format!(
                        "Body {n} with sanctions and words. {}",
                        "More words here. ".repeat(200)
                    ),
                    status,
                    published_at: None,
                    source: Some(["AFP", "Reuters"][n % 2].into()),
                    byline: None,
                    topics: vec![["world", "asia", "sport"][n % 3].into()],
                    entities: vec![
                        ["north-korea", "russia", "g7", "kim-jong-un"][n % 4].into(),
                        "g7".into(),
                    ],
                    comments_open: true,
                    author_id: None,
                    featured_image_id: None,
                    seo: articles::Seo::default(),
                    expires_at: None,
                },
                if n % 10 == 0 { reporter.id } else { 1 },
            )?;
        }
        Ok::<_, newsdesk::error::ApiError>(())
    })
    .unwrap();
    diesel::sql_query("ANALYZE").execute(&mut conn).unwrap();
    drop(conn);
    (dir, pool)
}

fn groups(slugs: &[&str]) -> Vec<Vec<String>> {
    slugs
        .iter()
        .map(|group| group.split('|').map(str::to_owned).collect())
        .collect()
}

fn assert_indexed(plans: &[String], case: &str) {
    assert!(!plans.is_empty(), "{case}: no plan");
    for line in plans {
        let scans_whole_table = ["articles", "article_topics", "article_entities"]
            .iter()
            .any(|table| {
                line == &format!("SCAN {table}")
                    || line.starts_with(&format!("SCAN {table} ")) && !line.contains("USING")
            });
        assert!(!scans_whole_table, "{case}: full scan in {plans:#?}");
    }
}

#[test]
fn every_article_list_query_uses_an_index() {
    let (_dir, pool) = newsroom();
    let mut conn = pool.get().unwrap();
    let now = chrono::Utc::now().naive_utc();
    let base = ArticleFilter::default();
    let cases: Vec<(&str, ArticleFilter)> = vec![
        ("public default", base.clone()),
        (
            "staff everything",
            ArticleFilter {
                status: StatusFilter::Any,
                audience: Audience::Everyone,
                ..base.clone()
            },
        ),
        (
            "author's own",
            ArticleFilter {
                status: StatusFilter::Any,
                audience: Audience::Owner(1),
                ..base.clone()
            },
        ),
        (
            "drafts",
            ArticleFilter {
                status: StatusFilter::Draft,
                audience: Audience::Everyone,
                ..base.clone()
            },
        ),
        (
            "scheduled",
            ArticleFilter {
                status: StatusFilter::Pending,
                audience: Audience::Everyone,
                ..base.clone()
            },
        ),
        (
            "topic with descendants",
            ArticleFilter {
                topics: groups(&["world"]),
                ..base.clone()
            },
        ),
        (
            "two topics",
            ArticleFilter {
                topics: groups(&["asia", "sport"]),
                ..base.clone()
            },
        ),
        (
            "either topic",
            ArticleFilter {
                topics: groups(&["asia|sport"]),
                ..base.clone()
            },
        ),
        (
            "entity",
            ArticleFilter {
                entities: groups(&["north-korea"]),
                ..base.clone()
            },
        ),
        (
            "both entities",
            ArticleFilter {
                entities: groups(&["north-korea", "g7"]),
                ..base.clone()
            },
        ),
        (
            "kind",
            ArticleFilter {
                kind: Some(EntityKind::Person),
                ..base.clone()
            },
        ),
        (
            "author",
            ArticleFilter {
                author: Some(1),
                ..base.clone()
            },
        ),
        (
            "source",
            ArticleFilter {
                source: Some("AFP".into()),
                ..base.clone()
            },
        ),
        (
            "date range",
            ArticleFilter {
                published_from: Some(now - chrono::Duration::days(30)),
                published_to: Some(now),
                ..base.clone()
            },
        ),
        (
            "oldest first",
            ArticleFilter {
                sort: Sort::PublishedAsc,
                ..base.clone()
            },
        ),
        (
            "recently updated",
            ArticleFilter {
                sort: Sort::UpdatedDesc,
                ..base.clone()
            },
        ),
        (
            "by title",
            ArticleFilter {
                sort: Sort::Title,
                ..base.clone()
            },
        ),
        (
            "search",
            ArticleFilter {
                search: search::SearchQuery::parse("sanctions"),
                sort: Sort::Relevance,
                ..base.clone()
            },
        ),
        (
            "search with filters",
            ArticleFilter {
                search: search::SearchQuery::parse("sanctions words"),
                entities: groups(&["g7"]),
                topics: groups(&["world"]),
                sort: Sort::Relevance,
                ..base.clone()
            },
        ),
        (
            "search by date",
            ArticleFilter {
                search: search::SearchQuery::parse("\"about sanctions\""),
                sort: Sort::PublishedDesc,
                ..base.clone()
            },
        ),
    ];
    for (case, filter) in cases {
        for spec in [
            PageSpec::Offset(PageRequest {
                page: 1,
                per_page: 20,
            }),
            PageSpec::Offset(PageRequest {
                page: 5,
                per_page: 20,
            }),
            PageSpec::After {
                per_page: 20,
                after: Some(cursor_for(filter.sort)),
            },
        ] {
            let plans = articles::explain(&mut conn, &filter, &spec).unwrap();
            assert_indexed(&plans, &format!("{case} / {spec:?}"));
        }
    }
}

#[test]
fn a_relevance_page_reads_the_search_index_in_order_without_sorting() {
    // A page of a common word costs the page, not every match: the tier is
    // read newest first straight from the index, never gathered and sorted.
    let (_dir, pool) = newsroom();
    let mut conn = pool.get().unwrap();
    let filter = ArticleFilter {
        search: search::SearchQuery::parse("sanctions"),
        sort: Sort::Relevance,
        ..ArticleFilter::default()
    };
    for spec in [
        PageSpec::Offset(PageRequest {
            page: 1,
            per_page: 20,
        }),
        PageSpec::After {
            per_page: 20,
            after: Some(cursor_for(Sort::Relevance)),
        },
    ] {
        // The count's plan and the page's; neither sorts.
        let plans = articles::explain(&mut conn, &filter, &spec).unwrap();
        assert!(
            plans.iter().any(|line| line.contains("articles_fts")),
            "{plans:#?}"
        );
        assert!(
            !plans.iter().any(|line| line.contains("TEMP B-TREE")),
            "{spec:?}: {plans:#?}"
        );
    }
}

fn cursor_for(sort: Sort) -> SortKey {
    let at = chrono::Utc::now().naive_utc();
    match sort {
        Sort::PublishedDesc | Sort::PublishedAsc => SortKey::Published(Some(at), 100),
        Sort::UpdatedDesc => SortKey::Updated(at, 100),
        Sort::Title => SortKey::Title("Story 50".into(), 100),
        Sort::Relevance => SortKey::Relevance(search::SearchTier::Headline, 100),
    }
}

#[test]
fn a_full_scan_would_be_caught() {
    // The check itself must be able to fail: a query by an unindexed column.
    let (_dir, pool) = newsroom();
    let mut conn = pool.get().unwrap();
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    let plans: Vec<String> =
        diesel::sql_query("EXPLAIN QUERY PLAN SELECT * FROM articles WHERE byline = 'x'")
            .load::<Line>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|line| line.detail)
            .collect();
    let caught = std::panic::catch_unwind(|| assert_indexed(&plans, "byline"));
    assert!(caught.is_err(), "{plans:?}");
}

#[test]
fn a_cursor_page_starts_at_its_place_in_the_sort_index() {
    // A deep page must not step over every entry before it: the cursor is
    // a range on the index that gives the order.
    let (_dir, pool) = newsroom();
    let mut conn = pool.get().unwrap();
    for (sort, range) in [
        (Sort::PublishedDesc, "(published_at<?)"),
        (Sort::PublishedAsc, "(published_at>?)"),
        (Sort::UpdatedDesc, "(updated_at<?)"),
        (Sort::Title, "(title>?)"),
    ] {
        let filter = ArticleFilter {
            sort,
            ..ArticleFilter::default()
        };
        let spec = PageSpec::After {
            per_page: 20,
            after: Some(cursor_for(sort)),
        };
        let plans = articles::explain(&mut conn, &filter, &spec).unwrap();
        assert!(
            plans.iter().any(
                |line| line.starts_with("SEARCH articles USING INDEX") && line.ends_with(range)
            ),
            "{sort:?}: {plans:#?}"
        );
    }
}

/// A kind that tags most stories (countries) is found, like a broad topic,
/// by walking the sort index a page deep: never by collecting every match
/// and sorting it.
#[test]
fn a_broad_kinds_page_walks_the_sort_index() {
    let (_dir, pool) = newsroom();
    let mut conn = pool.get().unwrap();
    // 600 more published stories about North Korea, written straight in.
    newsdesk::db::write_transaction(&mut conn, |conn| {
        diesel::sql_query(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600) \
             INSERT INTO articles (slug, title, status, published_at, author_id, \
                 word_count, reading_time_minutes, created_at, updated_at) \
             SELECT 'bulk-' || i, 'Bulk ' || i, 'published', '2024-05-01 09:00:00', 1, \
                 0, 0, '2024-05-01 09:00:00', '2024-05-01 09:00:00' FROM n",
        )
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO article_entities (article_id, entity_id) \
             SELECT a.id, e.id FROM articles a, entities e \
             WHERE a.slug LIKE 'bulk-%' AND e.slug = 'north-korea'",
        )
        .execute(conn)?;
        diesel::sql_query("ANALYZE").execute(conn)?;
        QueryResult::Ok(())
    })
    .unwrap();
    let filter = ArticleFilter {
        kind: Some(EntityKind::Country),
        ..ArticleFilter::default()
    };
    let spec = PageSpec::Offset(PageRequest {
        page: 1,
        per_page: 20,
    });
    let plans = articles::explain(&mut conn, &filter, &spec).unwrap();
    assert_indexed(&plans, "broad kind");
    assert!(
        !plans.iter().any(|line| line.contains("TEMP B-TREE")),
        "the page is read in index order: {plans:#?}"
    );
    // And it lists what a count of the rows says.
    let page = articles::list(&mut conn, &filter, &spec).unwrap();
    assert_eq!(page.items.len(), 20);
    assert!(page.total.exact);
    assert!(page.total.n > 600, "{:?}", page.total);
}
