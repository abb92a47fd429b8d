//! The routing table: every documented route, in one place. The OpenAPI
//! paths are collected from exactly these registrations (see `openapi`),
//! and `app` serves them, so the spec and the router cannot drift.

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::api::sitemaps;
use crate::api::suggestions;
use crate::api::{
    articles, audit, auth, authors, comments, entities, feeds, health, media, topics, users,
    webhooks,
};

/// Every documented route. The OpenAPI paths are collected from exactly
/// these registrations, so the spec and the router cannot drift.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(feeds::articles_feed)
        .service(feeds::topic_feed)
        .service(feeds::entity_feed)
        .service(feeds::articles_rss)
        .service(feeds::topic_rss)
        .service(feeds::entity_rss)
        .service(feeds::articles_json)
        .service(feeds::topic_json)
        .service(feeds::entity_json)
        .service(sitemaps::sitemap_index)
        .service(sitemaps::article_sitemap)
        .service(sitemaps::news_sitemap)
        .service(
            scope::scope("/api/v1")
                .service(auth::issue_token)
                .service(auth::me)
                .service(auth::update_me)
                .service(authors::list_authors)
                .service(authors::get_author)
                .service(articles::list_articles)
                .service(articles::create_article)
                .service(articles::get_article)
                .service(articles::replace_article)
                .service(articles::update_article)
                .service(articles::delete_article)
                .service(articles::corrections::add_correction)
                .service(articles::corrections::update_correction)
                .service(articles::corrections::delete_correction)
                .service(articles::jsonld::get_article_jsonld)
                .service(articles::revisions::list_revisions)
                .service(articles::revisions::get_revision)
                .service(articles::revisions::restore_revision)
                .service(articles::preview::create_preview)
                .service(articles::preview::revoke_previews)
                .service(comments::list_thread)
                .service(comments::post_comment)
                .service(comments::list_comments)
                .service(comments::get_comment)
                .service(comments::moderate_comment)
                .service(comments::delete_comment)
                .service(topics::list_topics)
                .service(topics::create_topic)
                .service(topics::get_topic)
                .service(topics::replace_topic)
                .service(topics::update_topic)
                .service(topics::delete_topic)
                .service(entities::list_entities)
                .service(entities::create_entity)
                .service(entities::get_entity)
                .service(entities::replace_entity)
                .service(entities::update_entity)
                .service(entities::delete_entity)
                .service(users::list_users)
                .service(users::create_user)
                .service(users::get_user)
                .service(users::update_user)
                .service(users::deactivate_user)
                .service(webhooks::list_webhooks)
                .service(webhooks::create_webhook)
                .service(webhooks::get_webhook)
                .service(webhooks::update_webhook)
                .service(webhooks::delete_webhook)
                .service(webhooks::list_deliveries)
                .service(webhooks::retry_delivery)
                .service(webhooks::ping_webhook)
                .service(audit::list_audit)
                .service(media::upload_media)
                .service(media::list_media)
                .service(media::get_media)
                .service(media::update_media)
                .service(media::delete_media)
                .service(media::media_file)
                .service(suggestions::suggest_entities)
                .service(suggestions::article_entity_suggestions)
                .service(articles::related_articles),
        );
}
