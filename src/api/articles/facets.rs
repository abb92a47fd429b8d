//! `facets=` on `GET /articles`: `meta.facets`, the top values of each
//! facet over the whole filtered set (see `store::articles::facets`).

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::entities::EntityKind;
use crate::error::{ApiError, FieldErrors};
use crate::store::articles::facets::{self as store, AuthorCount, Facet, TagCount, ValueCount};

/// Reads `facets=` (comma-separated facet names, each once, in a fixed
/// order): `None` when absent; a 422 naming every unknown name.
pub fn parse(value: Option<&str>) -> Result<Option<Vec<Facet>>, ApiError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let mut errors = FieldErrors::new();
    let names: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    let unknown: Vec<String> = names
        .iter()
        .filter(|name| Facet::parse(name).is_none())
        .map(|name| name.chars().take(40).collect())
        .collect();
    let known: Vec<&str> = Facet::ALL.iter().map(|facet| facet.name()).collect();
    if names.is_empty() {
        errors.add(
            "facets",
            format!("must name at least one of {}", known.join(", ")),
        );
    } else if !unknown.is_empty() {
        errors.add(
            "facets",
            format!(
                "unknown facet(s): {}; known: {}",
                unknown.join(", "),
                known.join(", ")
            ),
        );
    }
    errors.finish()?;
    let mut facets: Vec<Facet> = names.iter().filter_map(|name| Facet::parse(name)).collect();
    facets.sort();
    facets.dedup();
    Ok(Some(facets))
}

/// The cache-key suffix of a facet list: empty without one.
pub fn key(facets: Option<&[Facet]>) -> String {
    facets.map_or_else(String::new, |facets| {
        let names: Vec<&str> = facets.iter().map(|facet| facet.name()).collect();
        format!("|facets={}", names.join(","))
    })
}

/// A topic and the articles filed under it or under a topic below it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"slug": "world", "name": "World", "count": 812}))]
pub struct TopicFacet {
    pub slug: String,
    pub name: String,
    pub count: i64,
}

/// An entity and the articles tagged with it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"slug": "north-korea", "name": "North Korea", "kind": "country", "count": 214}))]
pub struct EntityFacet {
    pub slug: String,
    pub name: String,
    pub kind: EntityKind,
    pub count: i64,
}

/// A value (a kind, a source, a month as `2024-05`) and its articles.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"value": "2024-05", "count": 97}))]
pub struct ValueFacet {
    pub value: String,
    pub count: i64,
}

/// An author (a staff user) and the articles they own.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "slug": "newsroom", "display_name": "Newsroom", "count": 640}))]
pub struct AuthorFacet {
    pub id: i32,
    /// What `?author=` takes.
    pub slug: String,
    pub display_name: String,
    pub count: i64,
}

/// `meta.facets`: for each facet asked for, its ten most frequent values
/// over the whole filtered set (not the page), most frequent first, ties by
/// name. Each article counts once per value (a topic counts the articles
/// under it or any topic below it, each once).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "entity": [{"slug": "north-korea", "name": "North Korea", "kind": "country", "count": 214},
               {"slug": "g7", "name": "G7", "kind": "organisation", "count": 88}],
    "topic": [{"slug": "world", "name": "World", "count": 812}],
    "month": [{"value": "2024-05", "count": 97}]
}))]
pub struct ArticleFacets {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic: Option<Vec<TopicFacet>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entity: Option<Vec<EntityFacet>>,
    /// Entity kinds (`country`, `organisation`, `person`, `place`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Vec<ValueFacet>>,
    /// Entities of kind `country`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Vec<EntityFacet>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Vec<ValueFacet>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Vec<AuthorFacet>>,
    /// Months of publication, `YYYY-MM` (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub month: Option<Vec<ValueFacet>>,
}

fn topic(tag: TagCount) -> TopicFacet {
    TopicFacet {
        slug: tag.slug,
        name: tag.name,
        count: tag.count,
    }
}

fn entity(tag: TagCount) -> Option<EntityFacet> {
    Some(EntityFacet {
        kind: tag.kind?,
        slug: tag.slug,
        name: tag.name,
        count: tag.count,
    })
}

fn value(value: ValueCount) -> ValueFacet {
    ValueFacet {
        value: value.value,
        count: value.count,
    }
}

/// The author facet's wire form (one place, for when authors get slugs).
fn author(author: AuthorCount) -> AuthorFacet {
    AuthorFacet {
        id: author.id,
        slug: author.slug.unwrap_or_default(),
        display_name: author.display_name,
        count: author.count,
    }
}

impl From<store::Facets> for ArticleFacets {
    fn from(facets: store::Facets) -> Self {
        ArticleFacets {
            topic: facets
                .topic
                .map(|tags| tags.into_iter().map(topic).collect()),
            entity: facets
                .entity
                .map(|tags| tags.into_iter().filter_map(entity).collect()),
            kind: facets
                .kind
                .map(|values| values.into_iter().map(value).collect()),
            country: facets
                .country
                .map(|tags| tags.into_iter().filter_map(entity).collect()),
            source: facets
                .source
                .map(|values| values.into_iter().map(value).collect()),
            author: facets
                .author
                .map(|authors| authors.into_iter().map(author).collect()),
            month: facets
                .month
                .map(|values| values.into_iter().map(value).collect()),
        }
    }
}
