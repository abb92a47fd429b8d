//! `/api/v1/media`: the image library. Uploads are read from their bytes,
//! checked, stripped of metadata and kept (`media::process`,
//! `media::files`); files and their renditions are served as immutable.

use actix_web::http::header;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::etag::{self, IfMatch};
use super::{ApiJson, created, fields, nullable, pagination, tagged, utc};
use crate::auth::{AuthUser, Role};
use crate::db;
use crate::error::{ApiError, FieldErrors};
use crate::media::process::{self, Format, ImageError, WIDTHS};
use crate::media::{original_key, rendition_key};
use crate::state::AppState;
use crate::store::media::{self as store, MediaChanges, MediaRow, NewMedia};

const ALT_MAX: usize = 1_000;
const CAPTION_MAX: usize = 2_000;
const CREDIT_MAX: usize = 300;
/// Largest text part of a multipart upload (`alt`, `caption`, `credit`).
const FORM_FIELD_MAX: usize = 16 * 1024;
/// How long an upload's body may take to arrive.
const UPLOAD_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);
/// Files and renditions never change under their URL (an id is never
/// reused; see the `media` migration).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Where a media file is served: the path of `GET /media/{id}/file`.
pub fn file_url(id: i32) -> String {
    format!("/api/v1/media/{id}/file")
}

/// A point of interest in the image, which crops should keep in view.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"x": 0.5, "y": 0.3}))]
pub struct FocalPoint {
    /// From the left edge (0) to the right edge (1).
    #[schema(minimum = 0, maximum = 1)]
    pub x: f64,
    /// From the top edge (0) to the bottom edge (1).
    #[schema(minimum = 0, maximum = 1)]
    pub y: f64,
}

/// A resized copy of the image.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"width": 640, "url": "/api/v1/media/7/file?w=640"}))]
pub struct Rendition {
    /// Its width in pixels (the height keeps the aspect ratio).
    pub width: u32,
    pub url: String,
}

/// An image of the media library.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": 7, "url": "/api/v1/media/7/file", "content_type": "image/jpeg",
    "width": 1200, "height": 800, "bytes": 183244,
    "alt": "Delegates at the summit in Hanoi", "caption": "The summit opened on Monday.",
    "credit": "Photo: Jane Doe / Newsroom",
    "focal_point": {"x": 0.5, "y": 0.3},
    "renditions": [
        {"width": 320, "url": "/api/v1/media/7/file?w=320"},
        {"width": 640, "url": "/api/v1/media/7/file?w=640"},
        {"width": 1024, "url": "/api/v1/media/7/file?w=1024"}
    ],
    "created_at": "2024-05-31T09:00:00Z"
}))]
pub struct Media {
    pub id: i32,
    /// The image as kept: the upload re-encoded, upright, without EXIF,
    /// GPS or other metadata. Immutable: cache it for ever.
    pub url: String,
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`, as read from
    /// the file's bytes.
    pub content_type: String,
    /// In pixels, after the EXIF orientation was applied.
    pub width: u32,
    pub height: u32,
    /// Size of the kept file.
    pub bytes: i64,
    /// Text for readers who cannot see the image; an article's featured
    /// image needs one to be published.
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub focal_point: Option<FocalPoint>,
    /// The resized copies, narrowest first: each of 320, 640, 1024 and
    /// 1600 pixels that is narrower than the image (never upscaled).
    pub renditions: Vec<Rendition>,
    pub created_at: DateTime<Utc>,
}

impl From<MediaRow> for Media {
    fn from(row: MediaRow) -> Self {
        let width = u32::try_from(row.width).unwrap_or(0);
        let url = file_url(row.id);
        Media {
            id: row.id,
            renditions: WIDTHS
                .iter()
                .filter(|rendition| **rendition < width)
                .map(|rendition| Rendition {
                    width: *rendition,
                    url: format!("{url}?w={rendition}"),
                })
                .collect(),
            url,
            content_type: row.content_type,
            width,
            height: u32::try_from(row.height).unwrap_or(0),
            bytes: row.bytes,
            alt: row.alt,
            caption: row.caption,
            credit: row.credit,
            focal_point: row
                .focal_x
                .zip(row.focal_y)
                .map(|(x, y)| FocalPoint { x, y }),
            created_at: utc(row.created_at),
        }
    }
}

/// The texts of an upload, as query parameters of a raw upload (or parts
/// of a multipart one).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MediaUploadQuery {
    /// Text for readers who cannot see the image, at most 1,000 characters.
    #[param(max_length = 1000)]
    pub alt: Option<String>,
    /// At most 2,000 characters.
    #[param(max_length = 2000)]
    pub caption: Option<String>,
    /// Who made the image, at most 300 characters.
    #[param(max_length = 300)]
    pub credit: Option<String>,
}

/// An image as the raw request body.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ImageBody(pub Vec<u8>);

/// An upload as `multipart/form-data`.
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documents the form; the handler reads its parts as a stream"
)]
pub struct MediaForm {
    /// The image: JPEG, PNG, WebP or GIF (its part's own content type is
    /// not trusted; the bytes are read).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Text for readers who cannot see the image, at most 1,000 characters.
    alt: Option<String>,
    /// At most 2,000 characters.
    caption: Option<String>,
    /// Who made the image, at most 300 characters.
    credit: Option<String>,
}

/// Changes to an image's texts and focal point: absent fields stay as they
/// are, `null` clears one. The image itself cannot change: upload another.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"alt": "Delegates at the summit in Hanoi", "focal_point": {"x": 0.5, "y": 0.3}}))]
pub struct MediaPatch {
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub alt: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub caption: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub credit: Option<Option<String>>,
    /// `{x, y}`, each from 0 to 1; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<FocalPoint>)]
    pub focal_point: Option<Option<FocalPoint>>,
}

impl super::Checked for MediaPatch {
    fn field_errors(self) -> Vec<crate::error::FieldError> {
        super::errors_of(self.validate())
    }
}

/// The three texts, checked.
struct Texts {
    alt: Option<String>,
    caption: Option<String>,
    credit: Option<String>,
}

fn alt(errors: &mut FieldErrors, value: Option<&str>) -> Option<String> {
    fields::optional_line(errors, "alt", value, ALT_MAX)
}

fn caption(errors: &mut FieldErrors, value: Option<&str>) -> Option<String> {
    fields::optional_text(errors, "caption", value, CAPTION_MAX)
}

fn credit(errors: &mut FieldErrors, value: Option<&str>) -> Option<String> {
    fields::optional_line(errors, "credit", value, CREDIT_MAX)
}

fn focal_point(errors: &mut FieldErrors, point: FocalPoint) -> Option<(f64, f64)> {
    let mut ok = true;
    for (field, value) in [("focal_point.x", point.x), ("focal_point.y", point.y)] {
        if !(0.0..=1.0).contains(&value) {
            errors.add(field, "must be from 0 to 1");
            ok = false;
        }
    }
    ok.then_some((point.x, point.y))
}

impl MediaPatch {
    fn validate(self) -> Result<MediaChanges, ApiError> {
        let mut errors = FieldErrors::new();
        let changes = MediaChanges {
            alt: self.alt.map(|value| alt(&mut errors, value.as_deref())),
            caption: self
                .caption
                .map(|value| caption(&mut errors, value.as_deref())),
            credit: self
                .credit
                .map(|value| credit(&mut errors, value.as_deref())),
            focal_point: self
                .focal_point
                .map(|point| point.and_then(|point| focal_point(&mut errors, point))),
        };
        errors.finish()?;
        Ok(changes)
    }
}

impl MediaUploadQuery {
    fn validate(&self) -> Result<Texts, ApiError> {
        let mut errors = FieldErrors::new();
        let texts = Texts {
            alt: alt(&mut errors, self.alt.as_deref()),
            caption: caption(&mut errors, self.caption.as_deref()),
            credit: credit(&mut errors, self.credit.as_deref()),
        };
        errors.finish()?;
        Ok(texts)
    }
}

/// The `{id}` path parameter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct MediaId {
    /// The media's id.
    pub id: i32,
}

/// Query parameters of `GET /media`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MediaListQuery {
    /// Page number, from 1 (default 1).
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20; more is a 422).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// Query parameters of `GET /media/{id}/file`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// A rendition's width: 320, 640, 1024 or 1600 (any other value is a
    /// 422). Absent, or not narrower than the image: the image itself.
    pub w: Option<u32>,
}

/// The essence of the request's `Content-Type`, lower-cased.
fn content_type(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

fn not_an_image() -> ApiError {
    ApiError::UnsupportedType(
        "The upload must be a JPEG, PNG, WebP or GIF image (read from its bytes), sent as the \
         body with Content-Type image/jpeg, image/png, image/webp or image/gif, or as the \
         `file` part of multipart/form-data."
            .to_owned(),
    )
}

fn read_error(err: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(format!("The request body could not be read: {err}."))
}

/// Reads a raw body of at most `limit` bytes.
async fn read_raw(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(read_error)?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.to_vec())
}

/// Reads a multipart upload: the `file` part (at most `limit` bytes) and
/// the optional text parts. Unknown or repeated parts are a 422.
async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<(Vec<u8>, MediaUploadQuery), ApiError> {
    let mut form = actix_multipart::Multipart::new(req.headers(), payload);
    let mut file: Option<Vec<u8>> = None;
    let mut texts = MediaUploadQuery::default();
    let mut errors = FieldErrors::new();
    while let Some(part) = form.next().await {
        let mut part = part.map_err(|err| {
            ApiError::BadRequest(format!("The multipart body is malformed: {err}."))
        })?;
        let name = part.name().unwrap_or("").to_owned();
        let max = if name == "file" {
            limit
        } else {
            FORM_FIELD_MAX
        };
        let mut bytes = BytesMut::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(read_error)?;
            if bytes.len() + chunk.len() > max {
                if name == "file" {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                errors.add(name.clone(), format!("must be at most {max} bytes"));
                break;
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = || String::from_utf8(bytes.to_vec()).ok();
        let slot = match name.as_str() {
            "file" => {
                if file.replace(bytes.to_vec()).is_some() {
                    errors.add("file", "must be given once");
                }
                continue;
            }
            "alt" => &mut texts.alt,
            "caption" => &mut texts.caption,
            "credit" => &mut texts.credit,
            "" => {
                errors.add(
                    "body",
                    "every part needs a name (file, alt, caption or credit)",
                );
                continue;
            }
            other => {
                errors.add(
                    other,
                    "unknown part; the parts are file, alt, caption and credit",
                );
                continue;
            }
        };
        match text() {
            _ if slot.is_some() => errors.add(name, "must be given once"),
            Some(text) => *slot = Some(text),
            None => errors.add(name, "must be UTF-8 text"),
        }
    }
    let Some(file) = file else {
        errors.add("file", "is required: the image, as a part named file");
        errors.finish()?;
        return Err(ApiError::invalid("file", "is required"));
    };
    errors.finish()?;
    Ok((file, texts))
}

/// The problem an image that cannot be kept is.
fn image_problem(error: ImageError) -> ApiError {
    match error {
        ImageError::NotAnImage => not_an_image(),
        ImageError::TooManyPixels { width, height } => ApiError::invalid(
            "file",
            format!("is {width} × {height} pixels; at most 40 megapixels are accepted"),
        ),
        ImageError::Unreadable(message) | ImageError::Unsupported(message) => {
            ApiError::invalid("file", message)
        }
        ImageError::Encoding(message) => ApiError::Internal(message.into()),
    }
}

/// Upload an image.
///
/// Send the image as the body with its `Content-Type` (`image/jpeg`,
/// `image/png`, `image/webp`, `image/gif`) and the texts as query
/// parameters, or as `multipart/form-data` with a `file` part and `alt`,
/// `caption`, `credit` parts (then not also as query parameters). At most
/// `NEWSDESK_MEDIA_LIMIT` bytes (10 MiB by default; more is a 413). The
/// type is read from the bytes: a file that is not one of these images is
/// a 415 whatever its header said. The size is read from the header before
/// any pixel is decoded: more than 40 megapixels is a 422, as is a
/// truncated or corrupt file, an animated WebP, or one that would need
/// more than 256 MB to decode. What is kept is the image decoded, turned
/// upright by its EXIF orientation and encoded again in its own format
/// (JPEG at quality 90, PNG, lossless WebP, GIF with every frame), so that
/// EXIF, GPS, XMP and comments are gone; the colour profile stays.
#[utoipa::path(
    tag = "media",
    params(MediaUploadQuery),
    request_body(description = "The image, raw or as a form", content(
        (ImageBody = "image/jpeg"),
        (ImageBody = "image/png"),
        (ImageBody = "image/webp"),
        (ImageBody = "image/gif"),
        (MediaForm = "multipart/form-data"),
    )),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Kept; `Location` names it", body = Media,
            headers(("Location" = String, description = "URL of the new media"))),
        (status = 413, description = "The image is larger than `NEWSDESK_MEDIA_LIMIT` (10 MiB by default)",
            body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not a JPEG, PNG, WebP or GIF image (read from its bytes)",
            body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Over 40 megapixels, truncated or corrupt, or a text or part is invalid; `errors` names it",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/media")]
pub async fn upload_media(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<MediaUploadQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Author)?;
    let limit = state.config.media_limit;
    let kind = content_type(&req).unwrap_or_default();
    let multipart = kind == "multipart/form-data";
    if !multipart && Format::from_content_type(&kind).is_none() {
        return Err(not_an_image());
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<usize>().ok());
    // A form carries its parts' headers and boundaries besides the file.
    let slack = if multipart { 4 * FORM_FIELD_MAX } else { 0 };
    if declared.is_some_and(|length| length > limit + slack) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    let query = query.into_inner();
    let read = async {
        if multipart {
            let (file, texts) = read_form(&req, payload, limit).await?;
            let given_twice: Vec<&str> = [
                ("alt", query.alt.is_some() && texts.alt.is_some()),
                (
                    "caption",
                    query.caption.is_some() && texts.caption.is_some(),
                ),
                ("credit", query.credit.is_some() && texts.credit.is_some()),
            ]
            .into_iter()
            .filter_map(|(name, twice)| twice.then_some(name))
            .collect();
            if !given_twice.is_empty() {
                return Err(ApiError::Validation(
                    given_twice
                        .into_iter()
                        .map(|name| {
                            crate::error::FieldError::new(
                                name,
                                "is given both as a query parameter and as a part",
                            )
                        })
                        .collect(),
                ));
            }
            Ok((
                file,
                MediaUploadQuery {
                    alt: texts.alt.or(query.alt),
                    caption: texts.caption.or(query.caption),
                    credit: texts.credit.or(query.credit),
                },
            ))
        } else {
            Ok((read_raw(payload, limit).await?, query))
        }
    };
    let (file, texts) = actix_web::rt::time::timeout(UPLOAD_TIMEOUT, read)
        .await
        .map_err(|_| ApiError::RequestTimeout)??;
    let texts = texts.validate()?;
    let kept = state
        .image_jobs
        .run(move || process::normalise(&file))
        .await?
        .map_err(image_problem)?;
    let storage_key = format!("{:032x}", rand::random::<u128>());
    let key = original_key(&storage_key, kept.format);
    let new = NewMedia {
        storage_key,
        content_type: kept.format.content_type().to_owned(),
        width: i32::try_from(kept.width).unwrap_or(i32::MAX),
        height: i32::try_from(kept.height).unwrap_or(i32::MAX),
        bytes: i64::try_from(kept.bytes.len()).unwrap_or(i64::MAX),
        checksum: format!("{:016x}", pagination::fingerprint_bytes(&kept.bytes)),
        alt: texts.alt,
        caption: texts.caption,
        credit: texts.credit,
        uploaded_by: user.id,
    };
    state.media_files.put(&key, kept.bytes).await?;
    let row = match db::write(&state.pool, move |conn| Ok(store::create(conn, &new)?)).await {
        Ok(row) => row,
        Err(err) => {
            // Nothing refers to the file: take it away again.
            if let Err(cleanup) = state.media_files.delete(&key).await {
                log::warn!("cannot remove the file of a failed upload, {key}: {cleanup}");
            }
            return Err(err);
        }
    };
    Ok(created(
        format!("/api/v1/media/{}", row.id),
        &Media::from(row),
    ))
}

/// List the media library, newest first.
///
/// For staff (author or higher): the library holds images of stories not
/// yet published. A single image and its files are public.
#[utoipa::path(
    tag = "media",
    params(MediaListQuery),
    security(("bearer" = [])),
    responses((status = 200, description = "A page of media", body = pagination::Page<Media>,
        headers(("X-Total-Count" = i64, description = "Media on all pages"),
                ("Link" = String, description = "RFC 8288 links: first, prev, next, last"))))
)]
#[get("/media")]
pub async fn list_media(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    query: web::Query<MediaListQuery>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Author)?;
    let page = pagination::page_request(query.page, query.per_page)?;
    let (rows, total) = db::run(&state.pool, move |conn| Ok(store::list(conn, page)?)).await?;
    let data: Vec<Media> = rows.into_iter().map(Media::from).collect();
    Ok(pagination::respond(&req, page, total, data))
}

/// Get one image's record.
#[utoipa::path(
    tag = "media",
    params(MediaId),
    responses((status = 200, description = "The media", body = Media))
)]
#[get("/media/{id}")]
pub async fn get_media(
    state: web::Data<AppState>,
    path: web::Path<MediaId>,
) -> Result<HttpResponse, ApiError> {
    let id = path.id;
    let row = db::run(&state.pool, move |conn| Ok(store::find(conn, id)?)).await?;
    let keys = [crate::store::keys::media(id)];
    tagged(&Media::from(row)).map(|response| super::with_surrogate_keys(response, &keys))
}

/// Change an image's alt text, caption, credit or focal point.
///
/// Authors may change the images they uploaded; editors and admins any.
#[utoipa::path(
    tag = "media",
    params(MediaId),
    request_body = MediaPatch,
    security(("bearer" = [])),
    responses((status = 200, description = "The media as changed", body = Media))
)]
#[patch("/media/{id}")]
pub async fn update_media(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<MediaId>,
    if_match: IfMatch,
    body: ApiJson<MediaPatch>,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Author)?;
    let changes = body.0.validate()?;
    let id = path.id;
    let guard = move |current: &MediaRow| {
        if user.role < Role::Editor && current.uploaded_by != Some(user.id) {
            return Err(ApiError::Forbidden(
                "Authors may only change the media they uploaded.".to_owned(),
            ));
        }
        if_match.check(&etag::of(&Media::from(current.clone()))?)
    };
    let row = db::write(&state.pool, move |conn| {
        store::update(conn, id, &changes, guard)
    })
    .await?;
    tagged(&Media::from(row))
}

/// Delete an image and its files (editors and admins).
///
/// Nothing refers to media yet; once articles carry a featured image,
/// deleting one in use will be a 409. Cached copies of its files may live
/// on in caches and CDNs (they were served as immutable): purge them by
/// its `Surrogate-Key`, `media:{id}`.
#[utoipa::path(
    tag = "media",
    params(MediaId),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted, with its files"),
        (status = 409, description = "An article or an author shows the image", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/media/{id}")]
pub async fn delete_media(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<MediaId>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    user.require(Role::Editor)?;
    let id = path.id;
    let guard = move |current: &MediaRow| if_match.check(&etag::of(&Media::from(current.clone()))?);
    let row = db::write(&state.pool, move |conn| store::delete(conn, id, guard)).await?;
    if let Some(format) = Format::from_content_type(&row.content_type) {
        let mut keys = vec![original_key(&row.storage_key, format)];
        keys.extend(
            WIDTHS
                .iter()
                .map(|width| rendition_key(&row.storage_key, format, *width)),
        );
        for key in keys {
            if let Err(err) = state.media_files.delete(&key).await {
                log::warn!("media {id} is deleted but its file {key} is not: {err}");
            }
        }
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The file an answer of `media_file` serves, and its tag.
fn chosen(row: &MediaRow, format: Format, w: Option<u32>) -> (Option<u32>, String, String) {
    let width = u32::try_from(row.width).unwrap_or(0);
    match w {
        Some(w) if w < width => (
            Some(w),
            rendition_key(&row.storage_key, format, w),
            format!("\"{}-w{w}\"", row.checksum),
        ),
        _ => (
            None,
            original_key(&row.storage_key, format),
            format!("\"{}\"", row.checksum),
        ),
    }
}

/// True when `If-None-Match` names `etag` (or is `*`).
fn none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        })
}

/// Get the image file, or a rendition of it.
///
/// `?w=320|640|1024|1600` serves a copy that wide, its height in
/// proportion, made the first time it is asked for and then kept; a width
/// the image does not exceed serves the image itself (never upscaled). The
/// answer never changes under its URL: a strong `ETag`, and
/// `Cache-Control: public, max-age=31536000, immutable`.
#[utoipa::path(
    tag = "media",
    params(MediaId, FileQuery),
    responses(
        (status = 200, description = "The image", content(
            (ImageBody = "image/jpeg"),
            (ImageBody = "image/png"),
            (ImageBody = "image/webp"),
            (ImageBody = "image/gif"),
        ), headers(
            ("ETag" = String, description = "Strong: the same bytes on every node, for ever"),
            ("Cache-Control" = String, description = "`public, max-age=31536000, immutable`"),
        )),
        (status = 422, description = "`w` is not one of 320, 640, 1024, 1600",
            body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media/{id}/file")]
pub async fn media_file(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<MediaId>,
    query: web::Query<FileQuery>,
) -> Result<HttpResponse, ApiError> {
    if let Some(w) = query.w
        && !WIDTHS.contains(&w)
    {
        return Err(ApiError::invalid("w", "must be 320, 640, 1024 or 1600"));
    }
    let id = path.id;
    let row = db::run(&state.pool, move |conn| Ok(store::find(conn, id)?)).await?;
    let format = Format::from_content_type(&row.content_type).ok_or_else(|| {
        ApiError::Internal(format!("media {id} has the type {}", row.content_type).into())
    })?;
    let (rendition, key, etag) = chosen(&row, format, query.w);
    let surrogate = crate::store::keys::media(id);
    let respond = |status: actix_web::http::StatusCode| {
        let mut response = HttpResponse::build(status);
        response
            .insert_header((header::ETAG, etag.clone()))
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .insert_header((
                header::HeaderName::from_static(pagination::SURROGATE_KEY),
                surrogate.clone(),
            ));
        response
    };
    if none_match(&req, &etag) {
        return Ok(respond(actix_web::http::StatusCode::NOT_MODIFIED).finish());
    }
    let bytes = match state.media_files.get(&key).await? {
        Some(bytes) => bytes,
        None => match rendition {
            Some(width) => make_rendition(&state, &row, format, width, &key).await?,
            None => {
                return Err(ApiError::Internal(
                    format!("the file of media {id} is missing from the store: {key}").into(),
                ));
            }
        },
    };
    Ok(respond(actix_web::http::StatusCode::OK)
        .content_type(format.content_type())
        .body(bytes))
}

/// Makes a rendition from the kept original, keeps it at `key` and returns
/// it. Two nodes (or requests) making the same one at once both write the
/// same bytes; the store's writes are atomic.
async fn make_rendition(
    state: &AppState,
    row: &MediaRow,
    format: Format,
    width: u32,
    key: &str,
) -> Result<Bytes, ApiError> {
    let original_key = original_key(&row.storage_key, format);
    let original = state.media_files.get(&original_key).await?.ok_or_else(|| {
        ApiError::Internal(
            format!(
                "the file of media {} is missing from the store: {original_key}",
                row.id
            )
            .into(),
        )
    })?;
    let made = state
        .image_jobs
        .run(move || process::rendition(&original, width))
        .await?
        .map_err(|err| ApiError::internal("cannot make a rendition", err))?
        .ok_or_else(|| ApiError::Internal("a rendition wider than its original".into()))?;
    let bytes = Bytes::from(made.bytes);
    state.media_files.put(key, bytes.to_vec()).await?;
    Ok(bytes)
}
