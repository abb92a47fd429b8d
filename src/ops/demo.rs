//! `newsdesk demo`: a small newsroom to explore the API with, written for
//! this project around the kind of story newsdesk serves: North Korea,
//! Russia, the G7 allies and the war in Ukraine. Every workflow status and
//! every comment status appears.

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};

use crate::db::Conn;
use crate::domain::{ArticleStatus, CommentStatus, EntityKind, Role};
use crate::error::ApiError;
use crate::store::Key;
use crate::store::articles::{self, NewArticle};
use crate::store::comments::{self, CommentChanges, NewComment, Poster};
use crate::store::entities::{self, NewEntity};
use crate::store::topics::{self, NewTopic};
use crate::store::users::{self, NewUser};

const TOPICS: &[(&str, Option<&str>, &str)] = &[
    ("World", None, "News from every continent."),
    (
        "Asia-Pacific",
        Some("world"),
        "Korea, Japan, China and the Pacific.",
    ),
    (
        "Europe",
        Some("world"),
        "The European Union, its neighbours and the war in Ukraine.",
    ),
    (
        "Americas",
        Some("world"),
        "North, Central and South America.",
    ),
    ("Politics", None, "Governments, elections and diplomacy."),
    (
        "Diplomacy",
        Some("politics"),
        "Summits, statements and sanctions.",
    ),
    ("Security", None, "Defence, weapons and arms control."),
    ("Economy", None, "Trade, markets and sanctions' costs."),
];

/// (name, kind, aliases, country code, description)
type EntitySeed = (
    &'static str,
    EntityKind,
    &'static [&'static str],
    Option<&'static str>,
    &'static str,
);

const ENTITIES: &[EntitySeed] = &[
    (
        "North Korea",
        EntityKind::Country,
        &["DPRK", "Democratic People's Republic of Korea"],
        Some("KP"),
        "A state in the north of the Korean peninsula.",
    ),
    (
        "South Korea",
        EntityKind::Country,
        &["ROK", "Republic of Korea"],
        Some("KR"),
        "A state in the south of the Korean peninsula.",
    ),
    (
        "Russia",
        EntityKind::Country,
        &["Russian Federation"],
        Some("RU"),
        "The largest country by area.",
    ),
    (
        "Ukraine",
        EntityKind::Country,
        &[],
        Some("UA"),
        "A country in eastern Europe.",
    ),
    (
        "United States",
        EntityKind::Country,
        &["USA", "U.S.", "United States of America"],
        Some("US"),
        "A federal republic in North America.",
    ),
    (
        "Japan",
        EntityKind::Country,
        &[],
        Some("JP"),
        "An island nation in East Asia.",
    ),
    (
        "China",
        EntityKind::Country,
        &["PRC", "People's Republic of China"],
        Some("CN"),
        "The most populous country in East Asia.",
    ),
    (
        "United Kingdom",
        EntityKind::Country,
        &["UK", "Britain"],
        Some("GB"),
        "An island nation in north-western Europe.",
    ),
    (
        "Germany",
        EntityKind::Country,
        &[],
        Some("DE"),
        "A federal republic in central Europe.",
    ),
    (
        "France",
        EntityKind::Country,
        &[],
        Some("FR"),
        "A republic in western Europe.",
    ),
    (
        "Canada",
        EntityKind::Country,
        &[],
        Some("CA"),
        "A federation in North America.",
    ),
    (
        "G7",
        EntityKind::Organisation,
        &["Group of Seven"],
        None,
        "Seven large economies that coordinate policy.",
    ),
    (
        "United Nations",
        EntityKind::Organisation,
        &["UN", "U.N."],
        None,
        "The intergovernmental organisation of 193 member states.",
    ),
    (
        "UN Security Council",
        EntityKind::Organisation,
        &["UNSC"],
        None,
        "The United Nations organ charged with peace and security.",
    ),
    (
        "European Union",
        EntityKind::Organisation,
        &["EU"],
        None,
        "A union of 27 European states.",
    ),
    (
        "KCNA",
        EntityKind::Organisation,
        &["Korean Central News Agency"],
        None,
        "North Korea's state news agency.",
    ),
    (
        "Kim Jong Un",
        EntityKind::Person,
        &[],
        None,
        "Leader of North Korea.",
    ),
    (
        "Vladimir Putin",
        EntityKind::Person,
        &[],
        None,
        "President of Russia.",
    ),
    (
        "Choe Son Hui",
        EntityKind::Person,
        &[],
        None,
        "Foreign minister of North Korea.",
    ),
    (
        "Pyongyang",
        EntityKind::Place,
        &[],
        None,
        "The capital of North Korea.",
    ),
    (
        "Moscow",
        EntityKind::Place,
        &[],
        None,
        "The capital of Russia.",
    ),
    (
        "Vladivostok",
        EntityKind::Place,
        &[],
        None,
        "A Russian port city on the Sea of Japan.",
    ),
    (
        "Kharkiv",
        EntityKind::Place,
        &[],
        None,
        "A city in north-eastern Ukraine.",
    ),
];

/// (headline, topics, entities, status): statuses are "published" unless said.
const STORIES: &[(&str, &[&str], &[&str], ArticleStatus)] = &[
    (
        "Allies demand an end to North Korean arms transfers to Russia",
        &["diplomacy", "asia-pacific"],
        &["north-korea", "russia", "g7", "united-states", "ukraine"],
        ArticleStatus::Published,
    ),
    (
        "G7 foreign ministers coordinate new sanctions on Pyongyang",
        &["diplomacy"],
        &["g7", "north-korea", "pyongyang"],
        ArticleStatus::Published,
    ),
    (
        "Moscow denies buying missiles from North Korea",
        &["europe", "security"],
        &["russia", "north-korea", "moscow"],
        ArticleStatus::Published,
    ),
    (
        "UN expert panel's mandate ends after Russian veto",
        &["diplomacy"],
        &["united-nations", "un-security-council", "russia"],
        ArticleStatus::Published,
    ),
    (
        "Report links North Korean missile to strike on Kharkiv",
        &["security", "europe"],
        &["north-korea", "ukraine", "kharkiv", "united-nations"],
        ArticleStatus::Published,
    ),
    (
        "Kim Jong Un visits munitions factories",
        &["security", "asia-pacific"],
        &["kim-jong-un", "north-korea", "kcna"],
        ArticleStatus::Published,
    ),
    (
        "Putin and Kim meet in Vladivostok",
        &["diplomacy", "asia-pacific"],
        &["vladimir-putin", "kim-jong-un", "vladivostok"],
        ArticleStatus::Published,
    ),
    (
        "South Korea summons Russian ambassador",
        &["diplomacy", "asia-pacific"],
        &["south-korea", "russia"],
        ArticleStatus::Published,
    ),
    (
        "Japan and South Korea hold security talks",
        &["security", "asia-pacific"],
        &["japan", "south-korea"],
        ArticleStatus::Published,
    ),
    (
        "EU adds North Korean entities to sanctions list",
        &["economy", "europe"],
        &["european-union", "north-korea"],
        ArticleStatus::Published,
    ),
    (
        "Choe Son Hui rejects G7 statement as interference",
        &["diplomacy"],
        &["choe-son-hui", "g7", "north-korea", "kcna"],
        ArticleStatus::Published,
    ),
    (
        "China calls for restraint on the Korean peninsula",
        &["diplomacy", "asia-pacific"],
        &["china", "north-korea", "south-korea"],
        ArticleStatus::Published,
    ),
    (
        "Britain and Canada join maritime sanctions patrols",
        &["security", "americas"],
        &["united-kingdom", "canada", "north-korea"],
        ArticleStatus::Published,
    ),
    (
        "Germany and France pledge air defence for Ukraine",
        &["security", "europe"],
        &["germany", "france", "ukraine"],
        ArticleStatus::Published,
    ),
    (
        "Sanctions squeeze North Korea's coal exports",
        &["economy", "asia-pacific"],
        &["north-korea", "china"],
        ArticleStatus::Published,
    ),
    (
        "Russian ports handle more North Korean cargo, satellite images suggest",
        &["economy", "security"],
        &["russia", "north-korea", "vladivostok"],
        ArticleStatus::Published,
    ),
    (
        "Security Council deadlocked over Korean resolution",
        &["diplomacy"],
        &["un-security-council", "united-states", "china", "russia"],
        ArticleStatus::Published,
    ),
    (
        "Pyongyang launches ballistic missile into the sea",
        &["security", "asia-pacific"],
        &["north-korea", "pyongyang", "japan", "south-korea"],
        ArticleStatus::Published,
    ),
    (
        "Washington offers talks without preconditions",
        &["diplomacy", "americas"],
        &["united-states", "north-korea"],
        ArticleStatus::Published,
    ),
    (
        "KCNA says new satellite reached orbit",
        &["security"],
        &["kcna", "north-korea"],
        ArticleStatus::Published,
    ),
    (
        "Ukraine's allies meet in Brussels",
        &["europe", "diplomacy"],
        &["ukraine", "european-union", "g7"],
        ArticleStatus::Published,
    ),
    (
        "Analysis: what the Putin-Kim pact means for Asia",
        &["politics", "asia-pacific"],
        &["vladimir-putin", "kim-jong-un", "russia", "north-korea"],
        ArticleStatus::Published,
    ),
    (
        "Explainer: how UN sanctions on North Korea work",
        &["diplomacy"],
        &["united-nations", "north-korea"],
        ArticleStatus::Published,
    ),
    (
        "Markets shrug off Korean tension",
        &["economy"],
        &["south-korea", "japan"],
        ArticleStatus::Published,
    ),
    (
        "Seoul weighs sending arms to Kyiv",
        &["security", "europe"],
        &["south-korea", "ukraine"],
        ArticleStatus::Published,
    ),
    (
        "Draft: leaders expected at next G7 summit",
        &["diplomacy"],
        &["g7"],
        ArticleStatus::Draft,
    ),
    (
        "Draft: profile of North Korea's foreign minister",
        &["politics"],
        &["choe-son-hui", "north-korea"],
        ArticleStatus::Draft,
    ),
    (
        "Draft: sanctions enforcement at sea, a reporter's notebook",
        &["security"],
        &["north-korea"],
        ArticleStatus::Draft,
    ),
    (
        "Embargoed: G7 communique on North Korea",
        &["diplomacy"],
        &["g7", "north-korea"],
        ArticleStatus::Scheduled,
    ),
    (
        "Embargoed: year-end review of the Korean peninsula",
        &["asia-pacific"],
        &["north-korea", "south-korea"],
        ArticleStatus::Scheduled,
    ),
    (
        "Archived: summit dates announced (superseded)",
        &["diplomacy"],
        &["g7"],
        ArticleStatus::Archived,
    ),
    (
        "Archived: corrected casualty figures from Kharkiv",
        &["europe"],
        &["kharkiv", "ukraine"],
        ArticleStatus::Archived,
    ),
];

fn body_for(headline: &str, index: usize) -> String {
    let leads = [
        "Officials said on Friday that the talks had been difficult but useful.",
        "The statement followed weeks of quiet negotiation between capitals.",
        "Diplomats described the mood in the room as tense.",
        "Analysts cautioned that the announcement changes little on the ground.",
    ];
    format!(
        "**{headline}.** {}\n\n\
         The governments involved said they would keep coordinating sanctions and \
         share information on shipments that break United Nations resolutions.\n\n\
         > \"We will not look away,\" one official said, asking not to be named.\n\n\
         Pyongyang and Moscow have denied wrongdoing. Further talks are expected \
         in the coming weeks.\n\n\
         - What happened: {headline}\n\
         - Why it matters: pressure on the Korean peninsula and the war in Ukraine\n",
        leads[index % leads.len()]
    )
}

fn at(date: NaiveDate, hour: u32) -> NaiveDateTime {
    date.and_hms_opt(hour, 0, 0).unwrap_or_default()
}

/// Loads the demo newsroom; refuses a database that already has articles.
/// The demo's pictures: alt text, caption, credit and two colours of a
/// generated gradient (the demo ships no photographs).
const PICTURES: &[(&str, &str, [u8; 3], [u8; 3])] = &[
    (
        "Delegates arrive at the G7 summit venue",
        "Leaders of the Group of Seven met on Sunday.",
        [20, 60, 120],
        [200, 210, 230],
    ),
    (
        "The skyline of Pyongyang at dusk",
        "North Korea's capital, seen from the Taedong river.",
        [120, 40, 30],
        [250, 190, 120],
    ),
    (
        "Portrait of the Seoul correspondent",
        "The Seoul correspondent.",
        [40, 90, 60],
        [220, 230, 200],
    ),
];

/// A generated picture, stored like an upload: its file in the media store
/// and its record in the library.
fn picture(
    conn: &mut Conn,
    files: &dyn crate::ops::transfer::MediaFileAccess,
    index: usize,
    uploaded_by: i32,
) -> Result<i32, ApiError> {
    let (alt, caption, from, to) = PICTURES[index % PICTURES.len()];
    let (width, height) = (1200u32, 675u32);
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        let t = (x + y) as f32 / (width + height) as f32;
        let mix = |a: u8, b: u8| (f32::from(a) + (f32::from(b) - f32::from(a)) * t) as u8;
        image::Rgb([
            mix(from[0], to[0]),
            mix(from[1], to[1]),
            mix(from[2], to[2]),
        ])
    });
    let mut encoded = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(
            &mut std::io::Cursor::new(&mut encoded),
            image::ImageFormat::Jpeg,
        )
        .map_err(|err| ApiError::internal("demo picture", err))?;
    let kept = crate::media::process::normalise(&encoded)
        .map_err(|err| ApiError::Internal(format!("demo picture: {err:?}").into()))?;
    let storage_key = format!("demo-{index:02}");
    files
        .write(
            &crate::media::original_key(&storage_key, kept.format),
            kept.bytes.clone(),
        )
        .map_err(|err| ApiError::Internal(err.into()))?;
    let row = crate::store::media::create(
        conn,
        &crate::store::media::NewMedia {
            storage_key,
            content_type: kept.format.content_type().to_owned(),
            width: i32::try_from(kept.width).unwrap_or(i32::MAX),
            height: i32::try_from(kept.height).unwrap_or(i32::MAX),
            bytes: i64::try_from(kept.bytes.len()).unwrap_or(i64::MAX),
            checksum: format!(
                "{:016x}",
                crate::api::pagination::fingerprint_bytes(&kept.bytes)
            ),
            alt: Some(alt.to_owned()),
            caption: Some(caption.to_owned()),
            credit: Some("Illustration: newsdesk demo".to_owned()),
            uploaded_by,
        },
    )?;
    Ok(row.id)
}

/// Loads the demo newsroom; with `files`, also a few generated pictures
/// (featured images and an author's portrait), kept in that media store.
pub fn load(
    conn: &mut Conn,
    files: Option<&dyn crate::ops::transfer::MediaFileAccess>,
) -> Result<String, ApiError> {
    crate::db::write_transaction(conn, |conn| {
        if crate::store::articles::count_all(conn)? > 0 {
            return Err(ApiError::Conflict {
                detail: "The database already has articles; load the demo into an empty one."
                    .to_owned(),
                errors: Vec::new(),
            });
        }
        let editor = users::create(
            conn,
            &NewUser {
                email: "desk@demo.newsdesk.invalid".to_owned(),
                display_name: "Asia Desk".to_owned(),
                role: Role::Editor,
                password_hash: None,
                active: true,
                slug: None,
                bio: Some(
                    "The regional desk in Singapore: Korea, Japan, China and the Pacific."
                        .to_owned(),
                ),
                avatar_id: None,
            },
        )?;
        let reporter = users::create(
            conn,
            &NewUser {
                email: "reporter@demo.newsdesk.invalid".to_owned(),
                display_name: "Seoul Correspondent".to_owned(),
                role: Role::Author,
                password_hash: None,
                active: true,
                slug: None,
                bio: Some("Reports on the two Koreas from Seoul.".to_owned()),
                avatar_id: None,
            },
        )?;
        let mut pictures = Vec::new();
        if let Some(files) = files {
            for index in 0..PICTURES.len() {
                pictures.push(picture(conn, files, index, editor.id)?);
            }
            if let Some(portrait) = pictures.last() {
                users::update(
                    conn,
                    reporter.id,
                    &users::UserChanges {
                        avatar_id: Some(Some(*portrait)),
                        ..users::UserChanges::default()
                    },
                )?;
            }
        }
        for (name, parent, description) in TOPICS {
            topics::create(
                conn,
                &NewTopic {
                    slug: None,
                    name: (*name).to_owned(),
                    description: Some((*description).to_owned()),
                    parent: parent.map(str::to_owned),
                },
            )?;
        }
        for (name, kind, aliases, code, description) in ENTITIES {
            entities::create(
                conn,
                &NewEntity {
                    slug: None,
                    name: (*name).to_owned(),
                    kind: *kind,
                    description: Some((*description).to_owned()),
                    aliases: aliases.iter().map(|alias| (*alias).to_owned()).collect(),
                    country_code: code.map(str::to_owned),
                    website: None,
                },
            )?;
        }
        let start = NaiveDate::from_ymd_opt(2024, 5, 1).unwrap_or_default();
        let mut article_ids = Vec::new();
        for (index, (headline, topic_slugs, entity_slugs, status)) in STORIES.iter().enumerate() {
            let offset = i64::try_from(index).unwrap_or(0);
            let published_at = match *status {
                // As the API stores a client's time: to the microsecond.
                ArticleStatus::Scheduled => Some(crate::api::fields::stored(
                    Utc::now() + Duration::days(30 + offset),
                )),
                ArticleStatus::Draft => None,
                _ => Some(at(
                    start + Duration::days(offset * 2),
                    9 + (index % 8) as u32,
                )),
            };
            let author = if index % 3 == 0 {
                reporter.id
            } else {
                editor.id
            };
            let article = articles::create(
                conn,
                &NewArticle {
                    slug: None,
                    title: (*headline).to_owned(),
                    subtitle: None,
                    summary: Some(format!("{headline}: the essentials, and what comes next.")),
                    body: body_for(headline, index),
                    status: *status,
                    published_at,
                    source: Some(if index % 2 == 0 { "AFP" } else { "Reuters" }.to_owned()),
                    byline: Some("Staff and agencies".to_owned()),
                    topics: topic_slugs.iter().map(|slug| (*slug).to_owned()).collect(),
                    entities: entity_slugs.iter().map(|slug| (*slug).to_owned()).collect(),
                    comments_open: index % 7 != 6,
                    author_id: None,
                    // The first stories of the front page get pictures.
                    featured_image_id: pictures
                        .get(index)
                        .copied()
                        .filter(|_| index + 1 < PICTURES.len()),
                    seo: articles::Seo::default(),
                    expires_at: None,
                },
                author,
            )?;
            crate::store::revisions::record(conn, author, None, &article)?;
            article_ids.push(article.summary.row.id);
        }
        corrections_and_renames(conn, &article_ids)?;
        let comment_count = comment_threads(conn, &article_ids, editor.id)?;
        Ok(format!(
            "loaded the demo newsroom: {} topics, {} entities, {} articles, {} comments, 2 staff (no passwords; \
             create an admin with `newsdesk user create`)",
            TOPICS.len(),
            ENTITIES.len(),
            STORIES.len(),
            comment_count
        ))
    })
}

/// A correction under the first public story, and a public story renamed,
/// so that the demo shows corrections and an old link that redirects.
fn corrections_and_renames(conn: &mut Conn, article_ids: &[i32]) -> Result<(), ApiError> {
    let now = crate::store::now();
    let public: Vec<articles::ArticleSummaryRow> = article_ids
        .iter()
        .filter_map(|id| articles::find_row(conn, &Key::Id(*id)).ok())
        .filter(|row| row.has_been_public(now))
        .take(2)
        .collect();
    if let Some(first) = public.first() {
        crate::store::corrections::create(
            conn,
            first,
            crate::domain::CorrectionKind::Correction,
            "An earlier version of this story gave the wrong date for the statement.",
        )?;
    }
    if let Some(second) = public.get(1) {
        let renamed = format!("{}-update", second.slug);
        articles::update(
            conn,
            &Key::Id(second.id),
            &articles::ArticleChanges {
                slug: Some(renamed),
                ..articles::ArticleChanges::default()
            },
            |_| Ok::<(), ApiError>(()),
        )?;
    }
    Ok(())
}

/// Threads under the first published stories, with comments in every status.
fn comment_threads(
    conn: &mut Conn,
    article_ids: &[i32],
    editor_id: i32,
) -> Result<usize, ApiError> {
    let readers = [
        (
            "Min-jun",
            "minjun@example.org",
            "Sanctions have not changed Pyongyang's course in twenty years.",
        ),
        (
            "Olena",
            "olena@example.org",
            "People in Kharkiv know exactly where those missiles came from.",
        ),
        (
            "Hiroshi",
            "hiroshi@example.org",
            "Japan should stay close to Seoul on this.",
        ),
        (
            "Sam",
            "sam@example.org",
            "Good explainer, thanks. Is there a map of the shipments?",
        ),
        (
            "Cheap Watches",
            "deals@spam.example",
            "Buy watches http://spam.example http://spam.example/2 http://spam.example/3",
        ),
        ("Troll", "troll@example.org", "This is all made up."),
    ];
    let mut posted = 0;
    for &article_id in article_ids.iter().take(6) {
        let key = Key::Id(article_id);
        let mut approved_ids = Vec::new();
        for (index, (name, email, body)) in readers.iter().enumerate() {
            let comment = comments::create(
                conn,
                &key,
                &NewComment {
                    parent_id: None,
                    author_name: (*name).to_owned(),
                    author_email: (*email).to_owned(),
                    author_url: None,
                    body: (*body).to_owned(),
                },
                Poster::Reader {
                    auto_approve: false,
                },
            );
            // Stories with comments closed refuse them; that is part of the demo.
            let Ok(comment) = comment else { continue };
            posted += 1;
            let status = match index {
                0..=2 => CommentStatus::Approved,
                4 => CommentStatus::Spam,
                5 => CommentStatus::Rejected,
                _ => CommentStatus::Pending,
            };
            comments::update(
                conn,
                comment.id,
                &CommentChanges {
                    status: Some(status),
                    body: None,
                },
                |_| Ok::<(), ApiError>(()),
            )?;
            if status == CommentStatus::Approved {
                approved_ids.push(comment.id);
            }
        }
        if let Some(&first) = approved_ids.first() {
            comments::create(
                conn,
                &key,
                &NewComment {
                    parent_id: Some(first),
                    author_name: "Asia Desk".to_owned(),
                    author_email: "desk@demo.newsdesk.invalid".to_owned(),
                    author_url: None,
                    body: "Thanks for reading. We will follow up on the shipments.".to_owned(),
                },
                Poster::Staff {
                    user_id: editor_id,
                    audience: articles::Audience::Everyone,
                },
            )?;
            posted += 1;
        }
    }
    Ok(posted)
}
