//! Listing articles: filters, full-text search, sort orders, and both
//! offset and keyset (cursor) pages, from one filter definition.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment};
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use diesel::sqlite::Sqlite;

use super::{ArticleSummary, ArticleSummaryRow, Audience, complete};
use crate::db::schema::{
    article_entities, article_status_counts, article_topics, articles, articles_fts,
    entities as entity_table,
};
use crate::domain::{ArticleStatus, EntityKind, Named};
use crate::error::ApiError;
use crate::store::{PageRequest, entities, now, topics};
use crate::store::{counts, keys};

diesel::infix_operator!(Matches, " MATCH ", backend: Sqlite);

/// Tag filters: every group must match (AND), any slug within a group may (OR).
pub type SlugGroups = Vec<Vec<String>>;

/// Which statuses a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Every status the audience may see (the staff default).
    Any,
    /// What the public sees: published, and scheduled whose time has come.
    Public,
    /// Scheduled articles still waiting for their time.
    Pending,
    Draft,
    Archived,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sort {
    PublishedDesc,
    PublishedAsc,
    UpdatedDesc,
    Title,
    /// Best match first; only with a search.
    Relevance,
}

/// Where the previous page ended, in the terms of its sort order: the
/// next page starts right after this article.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    Published(Option<NaiveDateTime>, i32),
    Updated(NaiveDateTime, i32),
    Title(String, i32),
    /// FTS5's rank (lower is better) and the id.
    Relevance(f64, i32),
}

impl SortKey {
    /// The key of `row` under `sort`.
    fn of(sort: Sort, row: &ArticleSummaryRow, rank: Option<f64>) -> SortKey {
        match sort {
            Sort::PublishedDesc | Sort::PublishedAsc => {
                SortKey::Published(row.published_at, row.id)
            }
            Sort::UpdatedDesc => SortKey::Updated(row.updated_at, row.id),
            Sort::Title => SortKey::Title(row.title.clone(), row.id),
            Sort::Relevance => SortKey::Relevance(rank.unwrap_or_default(), row.id),
        }
    }

    fn fits(&self, sort: Sort) -> bool {
        matches!(
            (self, sort),
            (
                SortKey::Published(..),
                Sort::PublishedDesc | Sort::PublishedAsc
            ) | (SortKey::Updated(..), Sort::UpdatedDesc)
                | (SortKey::Title(..), Sort::Title)
                | (SortKey::Relevance(..), Sort::Relevance)
        )
    }
}

/// Filters of `GET /articles`, validated.
#[derive(Debug, Clone)]
pub struct ArticleFilter {
    pub topics: SlugGroups,
    pub entities: SlugGroups,
    pub kind: Option<EntityKind>,
    pub author: Option<i32>,
    pub source: Option<String>,
    pub published_from: Option<NaiveDateTime>,
    /// Published up to and including this instant.
    pub published_to: Option<NaiveDateTime>,
    /// An FTS5 query (see `search::fts_query`).
    pub search: Option<String>,
    pub status: StatusFilter,
    pub audience: Audience,
    pub sort: Sort,
}

impl ArticleFilter {
    /// Whether the list may hold articles without a publication time
    /// (drafts may have none; what the public sees always has one).
    fn may_be_undated(&self) -> bool {
        let public_only = self.audience == Audience::Public
            || matches!(self.status, StatusFilter::Public | StatusFilter::Pending);
        !public_only
    }
}

impl Default for ArticleFilter {
    fn default() -> Self {
        ArticleFilter {
            topics: Vec::new(),
            entities: Vec::new(),
            kind: None,
            author: None,
            source: None,
            published_from: None,
            published_to: None,
            search: None,
            status: StatusFilter::Public,
            audience: Audience::Public,
            sort: Sort::PublishedDesc,
        }
    }
}

/// Which part of the list to read.
#[derive(Debug, Clone)]
pub enum PageSpec {
    /// Page `page` of `per_page`: simple, but its cost grows with depth.
    Offset(PageRequest),
    /// `per_page` articles after `after` (the start when `None`): the same
    /// cost at any depth, and no article is seen twice while others are added.
    After {
        per_page: i64,
        after: Option<SortKey>,
    },
}

/// Totals are exact up to this many; beyond it a list says "at least
/// this many" (`exact` false), as Elasticsearch's `track_total_hits` does:
/// a search or a combination of filters costs what it matches, and no
/// reader pages through ten thousand results.
pub const EXACT_UP_TO: i64 = 10_000;

/// How many articles a list holds on all pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Total {
    /// The count, or `EXACT_UP_TO` when there are more.
    pub n: i64,
    /// False when there are more than `EXACT_UP_TO`.
    pub exact: bool,
}

impl Total {
    fn exact(n: i64) -> Total {
        Total { n, exact: true }
    }

    /// A count of ids read up to one past the bound.
    fn bounded(found: usize) -> Total {
        let found = i64::try_from(found).unwrap_or(i64::MAX);
        Total {
            n: found.min(EXACT_UP_TO),
            exact: found <= EXACT_UP_TO,
        }
    }
}

/// A page of a list.
#[derive(Debug, Clone)]
pub struct ArticlePage {
    pub items: Vec<ArticleSummary>,
    /// Relevance of each item (higher is better), with a search.
    pub ranks: Vec<Option<f64>>,
    pub total: Total,
    /// Where the next page starts, when there is one.
    pub next: Option<SortKey>,
    /// The keys of what the page shows (see `store::keys`): which articles
    /// the list holds, and each article on the page.
    pub depends_on: Vec<String>,
}

/// Tag filters turned into id sets, one per AND group, each with whether
/// it is broad (tags many articles).
struct ResolvedTags {
    /// Each group's topics with their subtrees, the named topics first.
    topic_groups: Vec<(Vec<i32>, bool)>,
    entity_groups: Vec<(Vec<i32>, bool)>,
    /// The named topic of each group of one slug (its kept count covers
    /// its subtree).
    topic_roots: Vec<Option<i32>>,
    /// Whether the `kind` filter is broad (tags many published articles).
    kind_broad: bool,
}

/// A group tagging more links than this is broad: a page is found faster by
/// walking the sort order and checking each article (EXISTS) than by
/// collecting every tagged article and sorting them (IN). Measured on
/// 10,000 articles: a 20-topic section 15 ms by IN, 0.2 ms by EXISTS; two
/// rare entities 0.3 ms by IN, 60 ms by EXISTS.
const BROAD_GROUP_LINKS: i64 = 500;

impl ResolvedTags {
    /// The keys of what decides which articles a list holds, and in which
    /// order: its tags when it has tag filters (an article joins or leaves
    /// it only by a change that bumps one of them), else every article.
    fn keys(&self, filter: &ArticleFilter) -> Vec<String> {
        let mut keys = vec![keys::NAMES.to_owned()];
        for (ids, _) in &self.topic_groups {
            keys.extend(ids.iter().map(|id| keys::topic(*id)));
        }
        for (ids, _) in &self.entity_groups {
            keys.extend(ids.iter().map(|id| keys::entity(*id)));
        }
        if let Some(kind) = &filter.kind {
            keys.push(keys::kind(*kind));
        }
        if keys.len() == 1 {
            keys.push(keys::LIST_ARTICLES.to_owned());
        }
        keys
    }
}

fn resolve_tags(
    conn: &mut SqliteConnection,
    filter: &ArticleFilter,
) -> Result<ResolvedTags, ApiError> {
    let mut topic_groups = Vec::new();
    let mut topic_roots = Vec::new();
    for group in &filter.topics {
        let subtrees = topics::subtrees(conn, "topic", group)?;
        topic_roots.push(match subtrees.as_slice() {
            [only] => only.first().copied(),
            _ => None,
        });
        let ids: Vec<i32> = subtrees.into_iter().flatten().collect();
        // Counted on the link index alone, and only up to the threshold.
        let links: i64 = article_topics::table
            .filter(article_topics::topic_id.eq_any(&ids))
            .select(article_topics::article_id)
            .limit(BROAD_GROUP_LINKS + 1)
            .load::<i32>(conn)?
            .len() as i64;
        topic_groups.push((ids, links > BROAD_GROUP_LINKS));
    }
    let mut entity_groups = Vec::new();
    for group in &filter.entities {
        let ids = entities::ids_for_slugs(conn, "entity", group)?;
        let links: i64 = article_entities::table
            .filter(article_entities::entity_id.eq_any(&ids))
            .select(article_entities::article_id)
            .limit(BROAD_GROUP_LINKS + 1)
            .load::<i32>(conn)?
            .len() as i64;
        entity_groups.push((ids, links > BROAD_GROUP_LINKS));
    }
    let kind_broad = match &filter.kind {
        Some(kind) => {
            let key = keys::kind(*kind);
            let counts = counts::public(conn, std::slice::from_ref(&key), now())?;
            counts.get(&key).copied().unwrap_or(0) > BROAD_GROUP_LINKS
        }
        None => false,
    };
    Ok(ResolvedTags {
        topic_groups,
        entity_groups,
        topic_roots,
        kind_broad,
    })
}

/// Applies every filter of `$filter` to `$query`, a boxed query over
/// `articles` alone or joined to the search index; `page` says whether it
/// is the page (true) or the count (false). A macro because the two
/// have different types; the filters are written once, and the count and
/// the page of both start from them.
macro_rules! apply_filters {
    ($query:expr, $filter:expr, $tags:expr, $now:expr, page: $page:expr) => {{
        let mut query = $query;
        let (filter, tags, now): (&ArticleFilter, &ResolvedTags, NaiveDateTime) =
            ($filter, $tags, $now);
        let public = || {
            articles::status
                .eq(ArticleStatus::Published)
                .or(articles::status
                    .eq(ArticleStatus::Scheduled)
                    .and(articles::published_at.le(now)))
        };
        query = match filter.status {
            StatusFilter::Any => query,
            StatusFilter::Public => query.filter(public()),
            StatusFilter::Pending => query
                .filter(articles::status.eq(ArticleStatus::Scheduled))
                .filter(articles::published_at.gt(now)),
            StatusFilter::Draft => query.filter(articles::status.eq(ArticleStatus::Draft)),
            StatusFilter::Archived => query.filter(articles::status.eq(ArticleStatus::Archived)),
        };
        // Whatever the status filter, a reader never gets more than they may see.
        query = match filter.audience {
            Audience::Everyone => query,
            Audience::Owner(id) => query.filter(public().or(articles::author_id.eq(id))),
            Audience::Public => query.filter(public()),
        };
        // Tags as `id IN (…)` drive from the link index: right for counts
        // and for narrow tags. A page of a broad tag uses a correlated
        // EXISTS instead, walking its sort index and stopping after a page
        // (see BROAD_GROUP_LINKS).
        // With two or more tag groups, their intersection is usually narrow
        // even when each is broad: drive from the links (IN) then.
        let single = tags.topic_groups.len() + tags.entity_groups.len() == 1;
        for (ids, broad) in &tags.topic_groups {
            query = if $page && *broad && single {
                query.filter(diesel::dsl::exists(
                    article_topics::table
                        .filter(article_topics::article_id.eq(articles::id))
                        .filter(article_topics::topic_id.eq_any(ids.clone())),
                ))
            } else {
                query.filter(
                    articles::id.eq_any(
                        article_topics::table
                            .filter(article_topics::topic_id.eq_any(ids.clone()))
                            .select(article_topics::article_id),
                    ),
                )
            };
        }
        for (ids, broad) in &tags.entity_groups {
            query = if $page && *broad && single {
                query.filter(diesel::dsl::exists(
                    article_entities::table
                        .filter(article_entities::article_id.eq(articles::id))
                        .filter(article_entities::entity_id.eq_any(ids.clone())),
                ))
            } else {
                query.filter(
                    articles::id.eq_any(
                        article_entities::table
                            .filter(article_entities::entity_id.eq_any(ids.clone()))
                            .select(article_entities::article_id),
                    ),
                )
            };
        }
        // A kind tags most articles (countries are in nearly every story):
        // as a broad tag, its page walks the sort index with EXISTS; a
        // count, or a kind among other tag filters, drives from the links.
        if let Some(kind) = &filter.kind {
            let alone = tags.topic_groups.is_empty() && tags.entity_groups.is_empty();
            query = if $page && tags.kind_broad && alone {
                query.filter(diesel::dsl::exists(
                    article_entities::table
                        .inner_join(entity_table::table)
                        .filter(article_entities::article_id.eq(articles::id))
                        .filter(entity_table::kind.eq(*kind)),
                ))
            } else {
                query.filter(
                    articles::id.eq_any(
                        article_entities::table
                            .inner_join(entity_table::table)
                            .filter(entity_table::kind.eq(*kind))
                            .select(article_entities::article_id),
                    ),
                )
            };
        }
        if let Some(author) = filter.author {
            query = query.filter(articles::author_id.eq(author));
        }
        if let Some(source) = &filter.source {
            query = query.filter(articles::source.eq(source.clone()));
        }
        if let Some(from) = filter.published_from {
            query = query.filter(articles::published_at.ge(from));
        }
        if let Some(to) = filter.published_to {
            query = query.filter(articles::published_at.le(to));
        }
        query
    }};
}

/// Orders `$query` by `$sort` (ties on id) and, for a cursor, starts it
/// after `$after`. NULL publication times (drafts) sort first ascending and
/// last descending, as SQLite does, and the keyset conditions say so.
macro_rules! apply_order {
    ($query:expr, $sort:expr, $after:expr, undated: $undated:expr) => {{
        let mut query = $query;
        match $after {
            None => {}
            // Each "after (t, id)" is written as `t <= at AND (t < at OR
            // id < id)`: its first half is a range on the sort index, so a
            // deep page starts at its place instead of stepping over every
            // entry before it (1.6 ms at 20,000 deep).
            Some(SortKey::Published(Some(at), id)) if $sort == Sort::PublishedDesc => {
                let before = articles::published_at
                    .le(at)
                    .and(articles::published_at.lt(at).or(articles::id.lt(id)));
                // Undated drafts sort last; lists that cannot hold any leave
                // them out, so the range stays a range.
                query = if $undated {
                    query.filter(before.or(articles::published_at.is_null()))
                } else {
                    query.filter(before)
                }
            }
            Some(SortKey::Published(None, id)) if $sort == Sort::PublishedDesc => {
                query = query.filter(articles::published_at.is_null().and(articles::id.lt(id)))
            }
            Some(SortKey::Published(Some(at), id)) => {
                query = query.filter(
                    articles::published_at
                        .ge(at)
                        .and(articles::published_at.gt(at).or(articles::id.gt(id))),
                )
            }
            Some(SortKey::Published(None, id)) => {
                query = query.filter(
                    articles::published_at
                        .is_null()
                        .and(articles::id.gt(id))
                        .or(articles::published_at.is_not_null()),
                )
            }
            Some(SortKey::Updated(at, id)) => {
                query = query.filter(
                    articles::updated_at
                        .le(at)
                        .and(articles::updated_at.lt(at).or(articles::id.lt(id))),
                )
            }
            Some(SortKey::Title(title, id)) => {
                query = query.filter(
                    articles::title
                        .ge(title.clone())
                        .and(articles::title.gt(title).or(articles::id.gt(id))),
                )
            }
            // Relevance needs the search index; `list` orders by it itself.
            Some(SortKey::Relevance(..)) => {
                return Err(ApiError::Internal(
                    "relevance order without a search".to_owned(),
                ));
            }
        }
        match $sort {
            Sort::PublishedDesc => {
                query.order((articles::published_at.desc(), articles::id.desc()))
            }
            Sort::PublishedAsc => query.order((articles::published_at.asc(), articles::id.asc())),
            Sort::UpdatedDesc => query.order((articles::updated_at.desc(), articles::id.desc())),
            Sort::Title => query.order((articles::title.asc(), articles::id.asc())),
            Sort::Relevance => {
                return Err(ApiError::Internal(
                    "relevance order without a search".to_owned(),
                ));
            }
        }
    }};
}

/// `EXPLAIN QUERY PLAN` in front of any query, binds and all, so that a
/// test can check the plan of the very query a request runs.
#[derive(Debug, Clone, Copy, diesel::query_builder::QueryId)]
struct Explain<Q>(Q);

impl<Q: QueryFragment<Sqlite>> QueryFragment<Sqlite> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        out.push_sql("EXPLAIN QUERY PLAN ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<Q> Query for Explain<Q> {
    type SqlType = (Integer, Integer, Integer, Text);
}

impl<Q> RunQueryDsl<SqliteConnection> for Explain<Q> {}

/// Runs `$query` with `$how` (`get_result` or `load`); or, when `$plans`
/// collects plans, records the query's plan instead and yields `$empty`.
macro_rules! run {
    ($conn:expr, $plans:expr, $query:expr, $how:ident, $empty:expr) => {{
        let query = $query;
        match $plans.as_mut() {
            Some(plans) => {
                let lines: Vec<(i32, i32, i32, String)> = Explain(query).load($conn)?;
                plans.extend(lines.into_iter().map(|line| line.3));
                $empty
            }
            None => query.$how($conn)?,
        }
    }};
}

/// The one column of a total computed in SQL.
#[derive(QueryableByName)]
struct TotalRow {
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// The key of the kept count (see `store::counts`) that is the public
/// total of a list filtered by exactly one topic (with its subtree),
/// entity, kind, author or source, and nothing else.
fn counted_key(filter: &ArticleFilter, tags: &ResolvedTags) -> Option<String> {
    let public_view = filter.status == StatusFilter::Public
        && !matches!(filter.audience, Audience::Owner(_))
        && filter.published_from.is_none()
        && filter.published_to.is_none()
        && filter.search.is_none();
    if !public_view {
        return None;
    }
    let single = |groups: &[(Vec<i32>, bool)], filter_groups: &[Vec<String>]| {
        matches!(filter_groups, [group] if group.len() == 1)
            .then(|| groups.first().and_then(|(ids, _)| ids.first().copied()))
            .flatten()
    };
    let mut keys = Vec::new();
    match (filter.topics.as_slice(), tags.topic_roots.as_slice()) {
        ([], _) => {}
        ([_], [Some(root)]) => keys.push(keys::topic(*root)),
        _ => return None,
    }
    match single(&tags.entity_groups, &filter.entities) {
        Some(id) => keys.push(keys::entity(id)),
        None if !filter.entities.is_empty() => return None,
        None => {}
    }
    keys.extend(filter.kind.map(keys::kind));
    keys.extend(filter.author.map(keys::author));
    keys.extend(filter.source.as_deref().map(counts::source));
    match keys.as_slice() {
        [key] => Some(key.clone()),
        _ => None,
    }
}

/// The total of a list from kept counts: one filtered by nothing but its
/// status (the per-status counts and the few scheduled articles), or the
/// public view of one topic, entity, kind, author or source (see
/// `counted_key`); `None` for any other list (and for an author's own list,
/// which mixes in their drafts).
fn kept_total(
    conn: &mut SqliteConnection,
    filter: &ArticleFilter,
    tags: &ResolvedTags,
    now: NaiveDateTime,
    plans: &mut Option<Vec<String>>,
) -> Result<Option<i64>, ApiError> {
    if let Some(key) = counted_key(filter, tags) {
        let counts = counts::public(conn, std::slice::from_ref(&key), now)?;
        return Ok(Some(counts.get(&key).copied().unwrap_or(0)));
    }
    let unfiltered = filter.topics.is_empty()
        && filter.entities.is_empty()
        && filter.kind.is_none()
        && filter.author.is_none()
        && filter.source.is_none()
        && filter.published_from.is_none()
        && filter.published_to.is_none()
        && filter.search.is_none();
    if !unfiltered {
        return Ok(None);
    }
    let mut kept = |statuses: &[ArticleStatus]| -> QueryResult<i64> {
        let counts: Vec<i64> = article_status_counts::table
            .filter(article_status_counts::status.eq_any(statuses))
            .select(article_status_counts::n)
            .load(conn)?;
        Ok(counts.iter().sum())
    };
    let total = match (filter.audience, filter.status) {
        (Audience::Owner(_), _) => return Ok(None),
        (_, StatusFilter::Public) => {
            // One statement, as the count it replaces.
            let total = diesel::sql_query(
                "SELECT (SELECT n FROM article_status_counts WHERE status = 'published') \
                 + (SELECT count(*) FROM articles \
                    WHERE status = 'scheduled' AND published_at <= ?) AS total",
            )
            .bind::<Timestamp, _>(now);
            let total: TotalRow = run!(conn, plans, total, get_result, TotalRow { total: 0 });
            total.total
        }
        (Audience::Public, _) => return Ok(None),
        (Audience::Everyone, StatusFilter::Any) => kept(ArticleStatus::ALL)?,
        (Audience::Everyone, StatusFilter::Draft) => kept(&[ArticleStatus::Draft])?,
        (Audience::Everyone, StatusFilter::Archived) => kept(&[ArticleStatus::Archived])?,
        (Audience::Everyone, StatusFilter::Pending) => {
            let waiting = articles::table
                .filter(articles::status.eq(ArticleStatus::Scheduled))
                .filter(articles::published_at.gt(now))
                .count();
            run!(conn, plans, waiting, get_result, 0)
        }
    };
    Ok(Some(total))
}

/// A page of articles (without bodies) matching `filter`, the total, and
/// where the next page starts.
pub fn list(
    conn: &mut SqliteConnection,
    filter: &ArticleFilter,
    spec: &PageSpec,
) -> Result<ArticlePage, ApiError> {
    list_or_explain(conn, filter, spec, None, &mut None)
}

/// The query plans (`EXPLAIN QUERY PLAN` detail lines) of the count and
/// page queries `list` would run for `filter` and `spec`.
pub fn explain(
    conn: &mut SqliteConnection,
    filter: &ArticleFilter,
    spec: &PageSpec,
) -> Result<Vec<String>, ApiError> {
    let mut plans = Some(Vec::new());
    list_or_explain(conn, filter, spec, None, &mut plans)?;
    Ok(plans.unwrap_or_default())
}

/// The articles matching `filter`, on all pages, and the keys of what
/// decides it (see `store::keys`).
pub fn count(
    conn: &mut SqliteConnection,
    filter: &ArticleFilter,
) -> Result<(Total, Vec<String>), ApiError> {
    let tags = resolve_tags(conn, filter)?;
    let total = count_or_explain(conn, filter, &tags, now(), &mut None)?;
    Ok((total, tags.keys(filter)))
}

/// As `list`, with the total already known (from `count`, for the same
/// filter and the same data).
pub fn list_counted(
    conn: &mut SqliteConnection,
    filter: &ArticleFilter,
    spec: &PageSpec,
    total: Total,
) -> Result<ArticlePage, ApiError> {
    list_or_explain(conn, filter, spec, Some(total), &mut None)
}

/// The articles matching `$search`, joined to the search index, boxed.
macro_rules! searched {
    ($search:expr) => {
        articles::table
            .inner_join(articles_fts::table.on(articles_fts::rowid.eq(articles::id)))
            .filter(Matches::new(
                articles_fts::whole,
                $search.clone().into_sql::<Text>(),
            ))
            .into_boxed::<Sqlite>()
    };
}

/// The total from kept counts where there are some, else counted up to
/// `EXACT_UP_TO` (one more tells that there are more): reading ids stops
/// there, so a search or a combination of filters never costs more than
/// that many index entries, whatever it matches.
fn count_or_explain(
    conn: &mut SqliteConnection,
    filter: &ArticleFilter,
    tags: &ResolvedTags,
    now: NaiveDateTime,
    plans: &mut Option<Vec<String>>,
) -> Result<Total, ApiError> {
    let bound = EXACT_UP_TO + 1;
    Ok(match &filter.search {
        None => match kept_total(conn, filter, tags, now, plans)? {
            Some(total) => Total::exact(total),
            None => {
                let ids = apply_filters!(articles::table.into_boxed::<Sqlite>(), filter, tags, now, page: false)
                    .select(articles::id)
                    .limit(bound);
                let ids: Vec<i32> = run!(conn, plans, ids, load, Vec::new());
                Total::bounded(ids.len())
            }
        },
        Some(search) => {
            let ids = apply_filters!(searched!(search), filter, tags, now, page: false)
                .select(articles::id)
                .limit(bound);
            let ids: Vec<i32> = run!(conn, plans, ids, load, Vec::new());
            Total::bounded(ids.len())
        }
    })
}

fn list_or_explain(
    conn: &mut SqliteConnection,
    filter: &ArticleFilter,
    spec: &PageSpec,
    known_total: Option<Total>,
    plans: &mut Option<Vec<String>>,
) -> Result<ArticlePage, ApiError> {
    if filter.sort == Sort::Relevance && filter.search.is_none() {
        return Err(ApiError::invalid("sort", "relevance needs a search (q)"));
    }
    let now = now();
    let tags = resolve_tags(conn, filter)?;
    let (per_page, offset, after) = match spec {
        PageSpec::Offset(page) => (page.per_page, page.offset(), None),
        PageSpec::After { per_page, after } => {
            if after.as_ref().is_some_and(|key| !key.fits(filter.sort)) {
                return Err(ApiError::invalid(
                    "cursor",
                    "belongs to a list in another order",
                ));
            }
            (*per_page, 0, after.clone())
        }
    };
    let total = match known_total {
        Some(total) => total,
        None => count_or_explain(conn, filter, &tags, now, plans)?,
    };
    // One row more than the page tells whether there is a next page.
    let mut rows: Vec<(ArticleSummaryRow, Option<f64>)> = match &filter.search {
        None => {
            let query = apply_filters!(articles::table.into_boxed::<Sqlite>(), filter, &tags, now, page: true);
            let page = apply_order!(query, filter.sort, after, undated: filter.may_be_undated())
                .select(ArticleSummaryRow::as_select())
                .limit(per_page + 1)
                .offset(offset);
            let rows: Vec<ArticleSummaryRow> = run!(conn, plans, page, load, Vec::new());
            rows.into_iter().map(|row| (row, None)).collect()
        }
        Some(search) => {
            let query = apply_filters!(searched!(search), filter, &tags, now, page: true);
            let query = match (filter.sort, after) {
                (Sort::Relevance, Some(SortKey::Relevance(rank, id))) => query
                    .filter(
                        articles_fts::rank
                            .gt(rank)
                            .or(articles_fts::rank.eq(rank).and(articles::id.gt(id))),
                    )
                    .order((articles_fts::rank.asc(), articles::id.asc())),
                (Sort::Relevance, _) => query.order((articles_fts::rank.asc(), articles::id.asc())),
                (sort, after) => apply_order!(query, sort, after, undated: filter.may_be_undated()),
            };
            let page = query
                .select((ArticleSummaryRow::as_select(), articles_fts::rank))
                .limit(per_page + 1)
                .offset(offset);
            let rows: Vec<(ArticleSummaryRow, f64)> = run!(conn, plans, page, load, Vec::new());
            rows.into_iter()
                .map(|(row, rank)| (row, Some(rank)))
                .collect()
        }
    };
    let has_more = rows.len() as i64 > per_page;
    rows.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
    let next = rows
        .last()
        .filter(|_| has_more)
        .map(|(row, rank)| SortKey::of(filter.sort, row, *rank));
    // bm25 ranks are negative, lower being better; readers get higher = better.
    let ranks = rows
        .iter()
        .map(|(_, rank)| rank.map(|rank| -rank))
        .collect();
    let mut depends_on = tags.keys(filter);
    depends_on.extend(rows.iter().map(|(row, _)| keys::article(row.id)));
    let items = complete(conn, rows.into_iter().map(|(row, _)| row).collect())?;
    Ok(ArticlePage {
        items,
        ranks,
        total,
        next,
        depends_on,
    })
}
