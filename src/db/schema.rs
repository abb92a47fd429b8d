// The Diesel view of the tables in `migrations/sqlite/` and `migrations/postgres/`.

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        slug -> Nullable<Text>,
        bio -> Nullable<Text>,
        avatar_id -> Nullable<Integer>,
    }
}

diesel::table! {
    topics (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        description -> Nullable<Text>,
        parent_id -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    entities (id) {
        id -> Integer,
        slug -> Text,
        name -> Text,
        kind -> Text,
        description -> Nullable<Text>,
        country_code -> Nullable<Text>,
        website -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    entity_aliases (entity_id, position) {
        entity_id -> Integer,
        position -> Integer,
        alias -> Text,
    }
}

diesel::table! {
    articles (id) {
        id -> Integer,
        slug -> Text,
        title -> Text,
        subtitle -> Nullable<Text>,
        summary -> Nullable<Text>,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        source -> Nullable<Text>,
        byline -> Nullable<Text>,
        author_id -> Integer,
        comments_open -> Bool,
        comment_count -> Integer,
        word_count -> Integer,
        reading_time_minutes -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        was_public -> Bool,
        featured_image_id -> Nullable<Integer>,
        seo_title -> Nullable<Text>,
        seo_description -> Nullable<Text>,
        seo_canonical_url -> Nullable<Text>,
        seo_image_id -> Nullable<Integer>,
        preview_generation -> Integer,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    article_bodies (article_id) {
        article_id -> Integer,
        body -> Text,
        body_html -> Text,
    }
}

diesel::table! {
    article_topics (article_id, topic_id) {
        article_id -> Integer,
        topic_id -> Integer,
    }
}

diesel::table! {
    article_entities (article_id, entity_id) {
        article_id -> Integer,
        entity_id -> Integer,
    }
}

diesel::table! {
    comments (id) {
        id -> Integer,
        article_id -> Integer,
        parent_id -> Nullable<Integer>,
        depth -> Integer,
        author_name -> Text,
        author_email -> Text,
        author_url -> Nullable<Text>,
        user_id -> Nullable<Integer>,
        body -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

// The FTS5 index (see the search migration); `whole` is the hidden column
// named after the table, the left side of MATCH.
diesel::table! {
    articles_fts (rowid) {
        rowid -> Integer,
        #[sql_name = "articles_fts"]
        whole -> Text,
        rank -> Double,
    }
}

diesel::table! {
    /// Articles per status, kept by triggers.
    article_status_counts (status) {
        status -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    /// A generation per dependency of cached answers, bumped by triggers.
    generations (key) {
        key -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    /// Every topic with each of its ancestors and itself, kept by triggers.
    topic_closure (topic_id, ancestor_id) {
        topic_id -> Integer,
        ancestor_id -> Integer,
    }
}

diesel::table! {
    /// Published articles per topic subtree, entity, kind, author and
    /// source, kept by triggers.
    published_counts (key) {
        key -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    /// Webhook subscriptions.
    webhooks (id) {
        id -> Integer,
        url -> Text,
        events -> Text,
        description -> Nullable<Text>,
        secret -> Text,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    /// The outbox: events as they will be sent.
    webhook_events (id) {
        id -> Text,
        #[sql_name = "type"]
        event_type -> Text,
        payload -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// One delivery of an event to a webhook, and how it went.
    webhook_deliveries (id) {
        id -> Integer,
        webhook_id -> Integer,
        event_id -> Text,
        state -> Text,
        attempt -> Integer,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> Nullable<Integer>,
        next_attempt_at -> Nullable<Timestamp>,
        lease_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// The media library (images); the files are in the media store.
    media (id) {
        id -> Integer,
        storage_key -> Text,
        content_type -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> BigInt,
        checksum -> Text,
        alt -> Nullable<Text>,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        focal_x -> Nullable<Double>,
        focal_y -> Nullable<Double>,
        uploaded_by -> Nullable<Integer>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    /// `article.unpublished` events owed when an expiry time passes.
    scheduled_unpublications (article_id) {
        article_id -> Integer,
        due_at -> Timestamp,
    }
}

diesel::table! {
    /// `article.published` events owed when a scheduled time passes.
    scheduled_publications (article_id) {
        article_id -> Integer,
        due_at -> Timestamp,
    }
}

diesel::table! {
    /// Slugs an article, topic or entity had while public: they redirect.
    old_slugs (kind, slug) {
        kind -> Text,
        slug -> Text,
        target_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Corrections, clarifications and updates of articles.
    corrections (id) {
        id -> Integer,
        article_id -> Integer,
        kind -> Text,
        text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    article_revisions (id) {
        id -> Integer,
        article_id -> Integer,
        version -> Integer,
        user_id -> Integer,
        created_at -> Timestamp,
        changed -> Text,
        public -> Bool,
        snapshot -> Binary,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Integer,
        at -> Timestamp,
        user_id -> Nullable<Integer>,
        user_name -> Nullable<Text>,
        action -> Text,
        target -> Nullable<Text>,
        request_id -> Nullable<Text>,
        client -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    /// Sign-in attempts of the last minute, per client address (the
    /// sign-in rate limit, shared by every node).
    sign_in_attempts (id) {
        id -> Integer,
        client -> Text,
        at -> Timestamp,
    }
}

diesel::joinable!(corrections -> articles (article_id));
diesel::joinable!(article_revisions -> articles (article_id));
diesel::joinable!(article_revisions -> users (user_id));
diesel::joinable!(articles -> users (author_id));
diesel::joinable!(article_bodies -> articles (article_id));
diesel::joinable!(comments -> articles (article_id));
diesel::joinable!(article_topics -> articles (article_id));
diesel::joinable!(article_topics -> topics (topic_id));
diesel::joinable!(article_entities -> articles (article_id));
diesel::joinable!(article_entities -> entities (entity_id));
diesel::joinable!(entity_aliases -> entities (entity_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    topics,
    entities,
    entity_aliases,
    articles,
    article_bodies,
    article_topics,
    article_entities,
    comments,
    articles_fts,
    topic_closure,
    published_counts,
    webhooks,
    webhook_events,
    webhook_deliveries,
    scheduled_publications,
    scheduled_unpublications,
    media,
    old_slugs,
    corrections,
    article_revisions,
    audit_log,
);
