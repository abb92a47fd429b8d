//! Listing articles: filters, full-text search, sort orders, and both
//! offset and keyset (cursor) pages.
//!
//! A filter is resolved once (its tags looked up, the time fixed), then
//! turned into conditions (`condition::Condition`), which the count and
//! the page both apply to the same source: the articles table, or the
//! articles a search finds.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::condition::{self, Condition, Ordering};
use super::{ArticleSummary, ArticleSummaryRow, Audience, Parts, complete_parts};
use crate::db::schema::{
    article_entities, article_status_counts, article_topics, articles, entities as entity_table,
};
use crate::db::search::{self, Searched};
use crate::db::{Backend, Conn};
use crate::domain::{ArticleStatus, EntityKind, Named};
use crate::store::Error;
use crate::store::search::{SearchQuery, SearchTier};
use crate::store::{PageRequest, entities, now, topics};
use crate::store::{counts, keys};

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
    /// The search tier and the id (newest first within a tier).
    Relevance(SearchTier, i32),
}

impl SortKey {
    /// The key of `row` under `sort`.
    fn of(sort: Sort, row: &ArticleSummaryRow, tier: Option<SearchTier>) -> SortKey {
        match sort {
            Sort::PublishedDesc | Sort::PublishedAsc => {
                SortKey::Published(row.published_at, row.id)
            }
            Sort::UpdatedDesc => SortKey::Updated(row.updated_at, row.id),
            Sort::Title => SortKey::Title(row.title.clone(), row.id),
            Sort::Relevance => SortKey::Relevance(tier.unwrap_or(SearchTier::Body), row.id),
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
    /// Full-text search terms.
    pub search: Option<SearchQuery>,
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

fn resolve_tags(conn: &mut Conn, filter: &ArticleFilter) -> Result<ResolvedTags, Error> {
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

/// A filter with its tags looked up, at one instant: the count, the page
/// and the cache keys are all built from it, so the tags are read once.
pub struct Resolved<'f> {
    pub(super) filter: &'f ArticleFilter,
    tags: ResolvedTags,
    pub(super) now: NaiveDateTime,
}

/// Which query a set of conditions is for: a page of a broad tag walks
/// the sort index (EXISTS), a count drives from the tag's links (IN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Purpose {
    Count,
    Page,
}

/// Where a list's articles come from, with its conditions applied.
pub(super) enum Source {
    Articles(articles::BoxedQuery<'static, Backend>),
    Searched(Searched),
}

impl Source {
    fn filter(self, condition: Condition) -> Source {
        match self {
            Source::Articles(query) => Source::Articles(query.filter(condition)),
            Source::Searched(query) => Source::Searched(query.filter(condition)),
        }
    }
}

/// Totals are counted by reading ids up to one past the bound.
const COUNT_BOUND: i64 = EXACT_UP_TO + 1;

type CountQuery<S> = diesel::dsl::Limit<diesel::dsl::Select<S, articles::id>>;

fn count_query<S>(source: S) -> CountQuery<S>
where
    S: diesel::query_dsl::methods::SelectDsl<articles::id>,
    diesel::dsl::Select<S, articles::id>: diesel::query_dsl::methods::LimitDsl,
{
    use diesel::query_dsl::methods::{LimitDsl, SelectDsl};
    LimitDsl::limit(SelectDsl::select(source, articles::id), COUNT_BOUND)
}

/// The page of a list, ready to run: articles alone, or with their search rank.
type RowsQuery = diesel::dsl::Offset<
    diesel::dsl::Limit<
        diesel::dsl::Select<
            articles::BoxedQuery<'static, Backend>,
            diesel::dsl::AsSelect<ArticleSummaryRow, Backend>,
        >,
    >,
>;
type SearchedQuery = diesel::dsl::Offset<
    diesel::dsl::Limit<
        diesel::dsl::Select<Searched, diesel::dsl::AsSelect<ArticleSummaryRow, Backend>>,
    >,
>;

enum PageQuery {
    Rows(RowsQuery),
    Searched(SearchedQuery),
}

/// Which slice of the list a page reads, in rows.
struct Window {
    /// One more than the page: whether there is a next page.
    limit: i64,
    offset: i64,
    after: Option<SortKey>,
}

impl<'f> Resolved<'f> {
    /// Looks up the filter's tags (a 422 names every unknown slug).
    pub fn new(conn: &mut Conn, filter: &'f ArticleFilter) -> Result<Resolved<'f>, Error> {
        Ok(Resolved {
            filter,
            tags: resolve_tags(conn, filter)?,
            now: now(),
        })
    }

    /// The keys of what decides which articles the list holds.
    pub fn keys(&self) -> Vec<String> {
        self.tags.keys(self.filter)
    }

    /// Every condition of the filter, for `purpose`.
    fn conditions(&self, purpose: Purpose) -> Vec<Condition> {
        let (filter, tags, now) = (self.filter, &self.tags, self.now);
        let mut conditions = Vec::new();
        match filter.status {
            StatusFilter::Any => {}
            StatusFilter::Public => conditions.push(condition::public(now)),
            StatusFilter::Pending => conditions.push(condition::pending(now)),
            StatusFilter::Draft => {
                conditions.push(Condition::new(articles::status.eq(ArticleStatus::Draft)))
            }
            // Expired articles are archived, whether or not a write has
            // marked them so yet.
            StatusFilter::Archived => conditions.push(
                Condition::new(articles::status.eq(ArticleStatus::Archived))
                    .or(condition::expired(now)),
            ),
        }
        // Whatever the status filter, a reader never gets more than they may see.
        match filter.audience {
            Audience::Everyone => {}
            Audience::Owner(id) => conditions
                .push(condition::public(now).or(Condition::new(articles::author_id.eq(id)))),
            Audience::Public => conditions.push(condition::public(now)),
        }
        // Tags as `id IN (…)` drive from the link index: right for counts
        // and for narrow tags. A page of a broad tag uses a correlated
        // EXISTS instead, walking its sort index and stopping after a page
        // (see BROAD_GROUP_LINKS). With two or more tag groups, their
        // intersection is usually narrow even when each is broad: drive
        // from the links (IN) then.
        let single = tags.topic_groups.len() + tags.entity_groups.len() == 1;
        let walk = |broad: bool| purpose == Purpose::Page && broad && single;
        for (ids, broad) in &tags.topic_groups {
            let ids = ids.clone();
            conditions.push(if walk(*broad) {
                Condition::new(diesel::dsl::exists(
                    article_topics::table
                        .filter(article_topics::article_id.eq(articles::id))
                        .filter(article_topics::topic_id.eq_any(ids)),
                ))
            } else {
                Condition::new(
                    articles::id.eq_any(
                        article_topics::table
                            .filter(article_topics::topic_id.eq_any(ids))
                            .select(article_topics::article_id),
                    ),
                )
            });
        }
        for (ids, broad) in &tags.entity_groups {
            let ids = ids.clone();
            conditions.push(if walk(*broad) {
                Condition::new(diesel::dsl::exists(
                    article_entities::table
                        .filter(article_entities::article_id.eq(articles::id))
                        .filter(article_entities::entity_id.eq_any(ids)),
                ))
            } else {
                Condition::new(
                    articles::id.eq_any(
                        article_entities::table
                            .filter(article_entities::entity_id.eq_any(ids))
                            .select(article_entities::article_id),
                    ),
                )
            });
        }
        // A kind tags most articles (countries are in nearly every story):
        // as a broad tag, its page walks the sort index with EXISTS; a
        // count, or a kind among other tag filters, drives from the links.
        if let Some(kind) = filter.kind {
            let alone = tags.topic_groups.is_empty() && tags.entity_groups.is_empty();
            conditions.push(if purpose == Purpose::Page && tags.kind_broad && alone {
                Condition::new(diesel::dsl::exists(
                    article_entities::table
                        .inner_join(entity_table::table)
                        .filter(article_entities::article_id.eq(articles::id))
                        .filter(entity_table::kind.eq(kind)),
                ))
            } else {
                Condition::new(
                    articles::id.eq_any(
                        article_entities::table
                            .inner_join(entity_table::table)
                            .filter(entity_table::kind.eq(kind))
                            .select(article_entities::article_id),
                    ),
                )
            });
        }
        if let Some(author) = filter.author {
            conditions.push(Condition::new(articles::author_id.eq(author)));
        }
        if let Some(source) = &filter.source {
            conditions.push(Condition::new(articles::source.eq(source.clone())));
        }
        if let Some(from) = filter.published_from {
            conditions.push(Condition::new(articles::published_at.ge(from)));
        }
        if let Some(to) = filter.published_to {
            conditions.push(Condition::new(articles::published_at.le(to)));
        }
        conditions
    }

    /// The list's articles with every condition for `purpose` applied.
    pub(super) fn source(&self, purpose: Purpose) -> Source {
        let source = match &self.filter.search {
            None => Source::Articles(articles::table.into_boxed()),
            Some(search) => Source::Searched(search::searched(search)),
        };
        self.conditions(purpose)
            .into_iter()
            .fold(source, Source::filter)
    }

    /// The bounded count, when no kept count answers the total.
    fn count_source(&self, conn: &mut Conn) -> Result<Result<Total, Source>, Error> {
        if self.filter.search.is_none()
            && let Some(total) = kept_total(conn, self)?
        {
            return Ok(Ok(Total::exact(total)));
        }
        Ok(Err(self.source(Purpose::Count)))
    }

    /// The total: from kept counts where there are some, else counted up
    /// to `EXACT_UP_TO` (one more tells that there are more): reading ids
    /// stops there, so a search or a combination of filters never costs
    /// more than that many index entries, whatever it matches.
    fn total(&self, conn: &mut Conn) -> Result<Total, Error> {
        let ids: Vec<i32> = match self.count_source(conn)? {
            Ok(total) => return Ok(total),
            Err(Source::Articles(query)) => count_query(query).load(conn)?,
            Err(Source::Searched(query)) => count_query(query).load(conn)?,
        };
        Ok(Total::bounded(ids.len()))
    }

    /// Which rows a page reads; a 422 for a cursor of another order.
    fn window(&self, spec: &PageSpec) -> Result<Window, Error> {
        if self.filter.sort == Sort::Relevance && self.filter.search.is_none() {
            return Err(Error::invalid("sort", "relevance needs a search (q)"));
        }
        Ok(match spec {
            PageSpec::Offset(page) => Window {
                limit: page.per_page + 1,
                offset: page.offset(),
                after: None,
            },
            PageSpec::After { per_page, after } => {
                if after
                    .as_ref()
                    .is_some_and(|key| !key.fits(self.filter.sort))
                {
                    return Err(Error::invalid(
                        "cursor",
                        "belongs to a list in another order",
                    ));
                }
                Window {
                    limit: per_page + 1,
                    offset: 0,
                    after: after.clone(),
                }
            }
        })
    }

    /// The articles of one search tier with every condition of a page,
    /// older than `before` when given, newest first.
    fn tier_query(&self, search: &SearchQuery, tier: SearchTier, before: Option<i32>) -> Searched {
        let query = search::searched_in_tier(search, tier, before);
        let conditions = self.conditions(Purpose::Page);
        conditions
            .into_iter()
            .fold(query, |query, condition| query.filter(condition))
            .order(search::tier_order())
    }

    /// A page in relevance order: the tiers in turn (see `SearchTier`),
    /// each read newest first from where the window starts, until the
    /// window is full. A tier that an offset steps over whole is counted,
    /// up to the offset, to know how far into the next one it reaches.
    fn relevance_rows(
        &self,
        conn: &mut Conn,
        window: &Window,
    ) -> Result<Vec<(ArticleSummaryRow, SearchTier)>, Error> {
        let search = self
            .filter
            .search
            .as_ref()
            .ok_or_else(relevance_without_search)?;
        let (first, after_id) = match &window.after {
            Some(SortKey::Relevance(tier, id)) => (*tier, Some(*id)),
            Some(_) => return Err(relevance_without_search()),
            None => (SearchTier::Title, None),
        };
        let mut rows = Vec::new();
        let mut skip = window.offset;
        for tier in first.and_below() {
            let wanted = window.limit - rows.len() as i64;
            if wanted <= 0 {
                break;
            }
            let before = after_id.filter(|_| tier == first);
            let found: Vec<ArticleSummaryRow> = self
                .tier_query(search, tier, before)
                .select(ArticleSummaryRow::as_select())
                .limit(wanted)
                .offset(skip)
                .load(conn)?;
            if found.is_empty() && skip > 0 {
                let held = self
                    .tier_query(search, tier, before)
                    .select(articles::id)
                    .limit(skip)
                    .load::<i32>(conn)?
                    .len();
                skip -= i64::try_from(held).unwrap_or(skip);
                continue;
            }
            skip = 0;
            rows.extend(found.into_iter().map(|row| (row, tier)));
        }
        Ok(rows)
    }

    /// The page query: the list in its order, from where the window starts
    /// (for any order but relevance, which `relevance_rows` reads).
    fn page_query(&self, window: Window) -> Result<PageQuery, Error> {
        let sort = self.filter.sort;
        let undated = self.filter.may_be_undated();
        let source = match &window.after {
            Some(after) => self
                .source(Purpose::Page)
                .filter(after_key(after, sort, undated)?),
            None => self.source(Purpose::Page),
        };
        Ok(match source {
            Source::Articles(query) => PageQuery::Rows(
                query
                    .order(ordering(sort)?)
                    .select(ArticleSummaryRow::as_select())
                    .limit(window.limit)
                    .offset(window.offset),
            ),
            Source::Searched(query) => PageQuery::Searched(
                query
                    .order(ordering(sort)?)
                    .select(ArticleSummaryRow::as_select())
                    .limit(window.limit)
                    .offset(window.offset),
            ),
        })
    }
}

/// The condition that starts a cursor page right after `after`. NULL
/// publication times (drafts) sort first ascending and last descending,
/// as SQLite does, and the conditions say so.
fn after_key(after: &SortKey, sort: Sort, undated: bool) -> Result<Condition, Error> {
    Ok(match after.clone() {
        // Each "after (t, id)" is written as `t <= at AND (t < at OR
        // id < id)`: its first half is a range on the sort index, so a
        // deep page starts at its place instead of stepping over every
        // entry before it (1.6 ms at 20,000 deep).
        SortKey::Published(Some(at), id) if sort == Sort::PublishedDesc => {
            let before = Condition::new(
                articles::published_at
                    .le(at)
                    .and(articles::published_at.lt(at).or(articles::id.lt(id))),
            );
            // Undated drafts sort last; lists that cannot hold any leave
            // them out, so the range stays a range.
            if undated {
                before.or(Condition::new(articles::published_at.is_null()))
            } else {
                before
            }
        }
        SortKey::Published(None, id) if sort == Sort::PublishedDesc => {
            Condition::new(articles::published_at.is_null().and(articles::id.lt(id)))
        }
        SortKey::Published(Some(at), id) => Condition::new(
            articles::published_at
                .ge(at)
                .and(articles::published_at.gt(at).or(articles::id.gt(id))),
        ),
        SortKey::Published(None, id) => Condition::new(
            articles::published_at
                .is_null()
                .and(articles::id.gt(id))
                .or(articles::published_at.is_not_null()),
        ),
        SortKey::Updated(at, id) => Condition::new(
            articles::updated_at
                .le(at)
                .and(articles::updated_at.lt(at).or(articles::id.lt(id))),
        ),
        SortKey::Title(title, id) => Condition::new(
            articles::title
                .ge(title.clone())
                .and(articles::title.gt(title).or(articles::id.gt(id))),
        ),
        // Relevance needs the search index; `page_query` starts it itself.
        SortKey::Relevance(..) => return Err(relevance_without_search()),
    })
}

/// The order of `sort`, ties broken by id.
fn ordering(sort: Sort) -> Result<Ordering, Error> {
    Ok(match sort {
        Sort::PublishedDesc => Ordering::new((articles::published_at.desc(), articles::id.desc())),
        Sort::PublishedAsc => Ordering::new((articles::published_at.asc(), articles::id.asc())),
        Sort::UpdatedDesc => Ordering::new((articles::updated_at.desc(), articles::id.desc())),
        Sort::Title => Ordering::new((articles::title.asc(), articles::id.asc())),
        Sort::Relevance => return Err(relevance_without_search()),
    })
}

fn relevance_without_search() -> Error {
    Error::broken("relevance order without a search")
}

/// The total of a list from kept counts: one filtered by nothing but its
/// status (the per-status counts and the few scheduled articles), or the
/// public view of one topic, entity, kind, author or source (see
/// `counted_key`); `None` for any other list (and for an author's own list,
/// which mixes in their drafts).
fn kept_total(conn: &mut Conn, resolved: &Resolved<'_>) -> Result<Option<i64>, Error> {
    let (filter, now) = (resolved.filter, resolved.now);
    if let Some(key) = counted_key(filter, &resolved.tags) {
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
        // The kept count holds published articles; the scheduled ones
        // whose time has come, and the published ones whose expiry has
        // passed, are few (every write settles them).
        (_, StatusFilter::Public) => {
            // One statement, three scalar subqueries.
            let published = article_status_counts::table
                .filter(article_status_counts::status.eq(ArticleStatus::Published))
                .select(article_status_counts::n)
                .single_value();
            let due = articles::table
                .into_boxed()
                .filter(condition::due_unexpired(now))
                .count()
                .single_value();
            let lapsed = articles::table
                .into_boxed()
                .filter(condition::lapsed(now))
                .count()
                .single_value();
            let (published, due, lapsed): (Option<i64>, Option<i64>, Option<i64>) =
                diesel::select((published, due, lapsed)).get_result(conn)?;
            published.unwrap_or(0) + due.unwrap_or(0) - lapsed.unwrap_or(0)
        }
        (Audience::Public, _) => return Ok(None),
        (Audience::Everyone, StatusFilter::Any) => kept(ArticleStatus::ALL)?,
        (Audience::Everyone, StatusFilter::Draft) => kept(&[ArticleStatus::Draft])?,
        (Audience::Everyone, StatusFilter::Archived) => {
            kept(&[ArticleStatus::Archived])? + count_where(conn, condition::expired(now))?
        }
        (Audience::Everyone, StatusFilter::Pending) => count_where(conn, condition::pending(now))?,
    };
    Ok(Some(total))
}

/// How many articles meet `condition` (for the few scheduled ones).
fn count_where(conn: &mut Conn, condition: Condition) -> QueryResult<i64> {
    articles::table
        .into_boxed()
        .filter(condition)
        .count()
        .get_result(conn)
}

/// A page of articles (without bodies) matching `filter`, the total, and
/// where the next page starts.
pub fn list(
    conn: &mut Conn,
    filter: &ArticleFilter,
    spec: &PageSpec,
) -> Result<ArticlePage, Error> {
    let resolved = Resolved::new(conn, filter)?;
    let total = resolved.total(conn)?;
    page(conn, &resolved, spec, total)
}

/// The articles matching a resolved filter, on all pages.
pub fn count(conn: &mut Conn, resolved: &Resolved<'_>) -> Result<Total, Error> {
    resolved.total(conn)
}

/// A page of a resolved filter whose total is already known (from
/// `count`, for the same filter and the same data).
pub fn page(
    conn: &mut Conn,
    resolved: &Resolved<'_>,
    spec: &PageSpec,
    total: Total,
) -> Result<ArticlePage, Error> {
    page_parts(conn, resolved, spec, total, Parts::ALL)
}

/// `page`, loading only the related rows `parts` asks for (`fields=`).
pub fn page_parts(
    conn: &mut Conn,
    resolved: &Resolved<'_>,
    spec: &PageSpec,
    total: Total,
    parts: Parts,
) -> Result<ArticlePage, Error> {
    let window = resolved.window(spec)?;
    let per_page = window.limit - 1;
    let sort = resolved.filter.sort;
    let mut rows: Vec<(ArticleSummaryRow, Option<SearchTier>)> = if sort == Sort::Relevance {
        resolved
            .relevance_rows(conn, &window)?
            .into_iter()
            .map(|(row, tier)| (row, Some(tier)))
            .collect()
    } else {
        let found = match resolved.page_query(window)? {
            PageQuery::Rows(query) => query.load::<ArticleSummaryRow>(conn)?,
            PageQuery::Searched(query) => query.load::<ArticleSummaryRow>(conn)?,
        };
        found.into_iter().map(|row| (row, None)).collect()
    };
    let has_more = rows.len() as i64 > per_page;
    rows.truncate(usize::try_from(per_page).unwrap_or(usize::MAX));
    // In another order, a search's page learns each article's tier after.
    if let Some(search) = &resolved.filter.search
        && sort != Sort::Relevance
    {
        let ids: Vec<i32> = rows.iter().map(|(row, _)| row.id).collect();
        let tiers = search::tiers_of(conn, search, &ids)?;
        for ((_, tier), found) in rows.iter_mut().zip(tiers) {
            *tier = Some(found);
        }
    }
    let next = rows
        .last()
        .filter(|_| has_more)
        .map(|(row, tier)| SortKey::of(sort, row, *tier));
    let ranks = rows
        .iter()
        .map(|(_, tier)| tier.map(SearchTier::score))
        .collect();
    let mut depends_on = resolved.keys();
    depends_on.extend(rows.iter().map(|(row, _)| keys::article(row.id)));
    let items = complete_parts(conn, rows.into_iter().map(|(row, _)| row).collect(), parts)?;
    Ok(ArticlePage {
        items,
        ranks,
        total,
        next,
        depends_on,
    })
}

/// The query plans of the count (when no kept count answers it) and the
/// page queries that `list` runs for `filter` and `spec`: the same
/// queries, built by the same functions, explained instead of run.
pub fn explain(
    conn: &mut Conn,
    filter: &ArticleFilter,
    spec: &PageSpec,
) -> Result<Vec<String>, Error> {
    let resolved = Resolved::new(conn, filter)?;
    let mut plans = match resolved.count_source(conn)? {
        Ok(_) => Vec::new(),
        Err(Source::Articles(query)) => crate::db::plan(conn, count_query(query))?,
        Err(Source::Searched(query)) => crate::db::plan(conn, count_query(query))?,
    };
    let window = resolved.window(spec)?;
    plans.extend(match &filter.search {
        // The first tier's query: what a first page runs first.
        Some(search) if filter.sort == Sort::Relevance => crate::db::plan(
            conn,
            resolved
                .tier_query(search, SearchTier::Title, None)
                .select(ArticleSummaryRow::as_select())
                .limit(window.limit),
        )?,
        _ => match resolved.page_query(window)? {
            PageQuery::Rows(query) => crate::db::plan(conn, query)?,
            PageQuery::Searched(query) => crate::db::plan(conn, query)?,
        },
    });
    Ok(plans)
}

/// Writes a list of slug groups as `a|b,c`: groups ANDed by `,`, slugs
/// ORed by `|` (the query string's own notation; slugs hold neither).
fn groups_text(groups: &SlugGroups) -> String {
    groups
        .iter()
        .map(|group| group.join("|"))
        .collect::<Vec<_>>()
        .join(",")
}

impl ArticleFilter {
    /// The filter as text, field by field under fixed labels: the key of
    /// its cached answers and the fingerprint its cursors are bound to. It
    /// changes only when the filter does, not with how the types are
    /// spelt (as `Debug` output would).
    pub fn stable_key(&self) -> String {
        let time = |at: Option<NaiveDateTime>| {
            at.map(|at| at.and_utc().timestamp_micros().to_string())
                .unwrap_or_default()
        };
        let search = self
            .search
            .as_ref()
            .map(|search| {
                search
                    .terms()
                    .iter()
                    .map(|words| words.join(" "))
                    .collect::<Vec<_>>()
                    .join("\u{1f}")
            })
            .unwrap_or_default();
        let status = match self.status {
            StatusFilter::Any => "any",
            StatusFilter::Public => "public",
            StatusFilter::Pending => "pending",
            StatusFilter::Draft => "draft",
            StatusFilter::Archived => "archived",
        };
        let audience = match self.audience {
            Audience::Public => "public".to_owned(),
            Audience::Owner(id) => format!("owner:{id}"),
            Audience::Everyone => "everyone".to_owned(),
        };
        format!(
            "topic={};entity={};kind={};author={};source={};from={};to={};q={};status={};audience={};sort={}",
            groups_text(&self.topics),
            groups_text(&self.entities),
            self.kind.map(|kind| kind.name()).unwrap_or_default(),
            self.author.map(|id| id.to_string()).unwrap_or_default(),
            // A source may hold any character: its length keeps it apart
            // from the fields after it.
            self.source
                .as_ref()
                .map(|source| format!("{}:{source}", source.len()))
                .unwrap_or_default(),
            time(self.published_from),
            time(self.published_to),
            search,
            status,
            audience,
            self.sort.name(),
        )
    }
}

impl Sort {
    /// The name of the order, as `sort=` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Sort::PublishedDesc => "published_desc",
            Sort::PublishedAsc => "published_asc",
            Sort::UpdatedDesc => "updated_desc",
            Sort::Title => "title",
            Sort::Relevance => "relevance",
        }
    }
}

impl PageSpec {
    /// Which slice of the list, as text (see `ArticleFilter::stable_key`).
    pub fn stable_key(&self) -> String {
        match self {
            PageSpec::Offset(page) => format!("page={};per_page={}", page.page, page.per_page),
            PageSpec::After { per_page, after } => {
                let after = match after {
                    None => String::new(),
                    Some(SortKey::Published(at, id)) => format!(
                        "p:{}:{id}",
                        at.map(|at| at.and_utc().timestamp_micros().to_string())
                            .unwrap_or_default()
                    ),
                    Some(SortKey::Updated(at, id)) => {
                        format!("u:{}:{id}", at.and_utc().timestamp_micros())
                    }
                    Some(SortKey::Title(title, id)) => format!("t:{id}:{title}"),
                    Some(SortKey::Relevance(tier, id)) => format!("r:{}:{id}", tier.score()),
                };
                format!("per_page={per_page};after={after}")
            }
        }
    }
}
