//! The media library: uploads checked from their bytes, metadata
//! stripped, limits, renditions, and the two file stores.

use std::io::Cursor;
use std::path::PathBuf;

use image::codecs::gif::{GifEncoder, Repeat};
use image::{AnimationDecoder, DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_with, test_config};

/// A photo-like JPEG of `width` × `height`.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let image = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 90])
    });
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(image)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Jpeg)
        .unwrap();
    out
}

pub(crate) fn png(width: u32, height: u32) -> Vec<u8> {
    let image = RgbaImage::from_fn(width, height, |x, _| Rgba([200, (x % 256) as u8, 10, 255]));
    let mut out = Vec::new();
    DynamicImage::ImageRgba8(image)
        .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
        .unwrap();
    out
}

/// An EXIF block (big-endian TIFF) with an orientation, a description that
/// gives the place away, and a GPS directory.
fn exif(orientation: u16) -> Vec<u8> {
    let secret = b"SECRET-PLACE near the border\0";
    let mut tiff: Vec<u8> = b"MM\0\x2a\0\0\0\x08".to_vec();
    // IFD0 at 8: three entries, then the next-IFD offset.
    let ifd0_len = 2 + 3 * 12 + 4;
    let gps_at = 8 + ifd0_len;
    let gps_len = 2 + 12 + 4;
    let secret_at = gps_at + gps_len;
    tiff.extend_from_slice(&3u16.to_be_bytes());
    // ImageDescription (ASCII) pointing at the secret.
    tiff.extend_from_slice(&0x010Eu16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&(secret.len() as u32).to_be_bytes());
    tiff.extend_from_slice(&(secret_at as u32).to_be_bytes());
    // Orientation (SHORT).
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    // GPS IFD pointer (LONG).
    tiff.extend_from_slice(&0x8825u16.to_be_bytes());
    tiff.extend_from_slice(&4u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&(gps_at as u32).to_be_bytes());
    tiff.extend_from_slice(&0u32.to_be_bytes());
    // GPS IFD: GPSLatitudeRef = "N".
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&2u32.to_be_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(secret);
    let mut block = b"Exif\0\0".to_vec();
    block.extend_from_slice(&tiff);
    block
}

/// `jpeg` with an EXIF segment (APP1) and a comment (COM) after its SOI.
fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let plain = jpeg(width, height);
    let mut out = plain[..2].to_vec();
    let app1 = exif(orientation);
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&app1);
    let comment = b"shot by camera serial 0451-SECRET";
    out.extend_from_slice(&[0xFF, 0xFE]);
    out.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(comment);
    out.extend_from_slice(&plain[2..]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend_from_slice(&crc32(&body).to_be_bytes());
}

/// A tiny PNG whose header claims `width` × `height` pixels: a
/// decompression bomb, as far as a decoder that trusts it knows.
fn png_claiming(width: u32, height: u32, bit_depth: u8, color_type: u8) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[bit_depth, color_type, 0, 0, 0]);
    png_chunk(&mut out, b"IHDR", &ihdr);
    // A zlib stream of a few bytes (an empty stored block, then junk).
    png_chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9C, 0x01, 0x00, 0x00, 0xFF, 0xFF],
    );
    png_chunk(&mut out, b"IEND", &[]);
    out
}

/// A JPEG whose frame header (SOF0) says `width` × `height`.
fn jpeg_claiming(width: u16, height: u16) -> Vec<u8> {
    let mut bytes = jpeg(16, 16);
    let sof = bytes
        .windows(2)
        .position(|pair| pair == [0xFF, 0xC0])
        .expect("a baseline JPEG");
    bytes[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    bytes[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    bytes
}

/// An animated GIF of three frames.
fn gif(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new(&mut out);
        encoder.set_repeat(Repeat::Infinite).unwrap();
        for shade in [0u8, 120, 240] {
            let buffer = RgbaImage::from_pixel(width, height, Rgba([shade, 40, 200, 255]));
            encoder
                .encode_frame(image::Frame::from_parts(
                    buffer,
                    0,
                    0,
                    image::Delay::from_numer_denom_ms(100, 1),
                ))
                .unwrap();
        }
    }
    out
}

/// A raw upload as `token` with the given content type and query string.
async fn upload_as(
    app: &TestApp,
    token: &str,
    content_type: &str,
    query: &str,
    body: Vec<u8>,
) -> Reply {
    app.send(
        app.client
            .post(app.url(&format!("/api/v1/media{query}")))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

async fn upload(app: &TestApp, content_type: &str, body: Vec<u8>) -> Reply {
    upload_as(app, &app.admin_token, content_type, "", body).await
}

/// Uploads `body` and returns the new media, failing unless it is a 201.
pub(crate) async fn uploaded(
    app: &TestApp,
    content_type: &str,
    query: &str,
    body: Vec<u8>,
) -> serde_json::Value {
    let reply = upload_as(app, &app.admin_token, content_type, query, body).await;
    assert_eq!(reply.status, 201, "upload: {}", reply.text);
    reply.json
}

/// A GET whose body is kept as bytes.
async fn file(app: &TestApp, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let response = app.client.get(app.url(path)).send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.bytes().await.unwrap().to_vec())
}

fn media_dir(app: &TestApp) -> PathBuf {
    app.dir().join("media")
}

/// Every file under the media directory, with its bytes.
fn stored_files(app: &TestApp) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut stack = vec![media_dir(app)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                found.push((path, bytes));
            }
        }
    }
    found.sort();
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[tokio::test]
async fn an_upload_answers_201_with_the_contracts_object_and_a_location() {
    let app = spawn_app().await;
    let reply = upload_as(
        &app,
        &app.admin_token,
        "image/jpeg",
        "?alt=Delegates%20in%20Hanoi&credit=Photo%3A%20Jane%20Doe",
        jpeg(1200, 800),
    )
    .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let media = &reply.json;
    let id = media["id"].as_i64().unwrap();
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/v1/media/{id}").as_str())
    );
    assert_eq!(media["url"], format!("/api/v1/media/{id}/file"));
    assert_eq!(media["content_type"], "image/jpeg");
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(1200), Some(800))
    );
    assert!(media["bytes"].as_i64().unwrap() > 0);
    assert_eq!(media["alt"], "Delegates in Hanoi");
    assert_eq!(media["caption"], json!(null));
    assert_eq!(media["credit"], "Photo: Jane Doe");
    assert_eq!(media["focal_point"], json!(null));
    assert!(media["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        media["renditions"],
        json!([
            {"width": 320, "url": format!("/api/v1/media/{id}/file?w=320")},
            {"width": 640, "url": format!("/api/v1/media/{id}/file?w=640")},
            {"width": 1024, "url": format!("/api/v1/media/{id}/file?w=1024")},
        ])
    );
    let fetched = app.get(&format!("/api/v1/media/{id}")).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(&fetched.json, media);
    assert_eq!(
        fetched.header("surrogate-key"),
        Some(format!("media:{id}").as_str())
    );
}

#[tokio::test]
async fn the_type_comes_from_the_bytes_not_the_header() {
    let app = spawn_app().await;
    // A PNG sent as image/jpeg is kept, and called, a PNG.
    let media = uploaded(&app, "image/jpeg", "", png(40, 30)).await;
    assert_eq!(media["content_type"], "image/png");
    let (status, headers, bytes) = file(&app, media["url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(image::guess_format(&bytes).unwrap(), ImageFormat::Png);

    // Text sent as an image, and an image sent as text, are 415s.
    let reply = upload(&app, "image/png", b"<?php echo 'hello'; ?>".to_vec()).await;
    reply.assert_problem(415);
    let reply = upload(&app, "text/plain", jpeg(20, 20)).await;
    reply.assert_problem(415);
    let reply = upload(&app, "application/json", b"{}".to_vec()).await;
    reply.assert_problem(415);
    // An SVG (scripts!) is not one of the kept types.
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    upload(&app, "image/svg+xml", svg.to_vec())
        .await
        .assert_problem(415);
    assert!(stored_files(&app).len() == 1, "only the PNG was kept");
}

#[tokio::test]
async fn exif_gps_and_comments_are_stripped_and_the_orientation_applied() {
    let app = spawn_app().await;
    // Orientation 6: the camera was turned; the picture is shown rotated 90°.
    let upload = jpeg_with_exif(300, 200, 6);
    assert!(contains(&upload, b"SECRET-PLACE") && contains(&upload, b"Exif\0\0"));
    let media = uploaded(&app, "image/jpeg", "", upload).await;
    assert_eq!(
        (media["width"].as_i64(), media["height"].as_i64()),
        (Some(200), Some(300))
    );
    let (status, _, served) = file(&app, media["url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let (_, stored) = stored_files(&app).pop().unwrap();
    assert_eq!(served, stored, "what is served is what is stored");
    for kept in [&served, &stored] {
        assert!(!contains(kept, b"Exif"), "EXIF survived");
        assert!(
            !contains(kept, b"SECRET"),
            "the description or comment survived"
        );
        assert!(!contains(kept, &[0xFF, 0xE1]), "an APP1 segment survived");
        assert!(!contains(kept, &[0xFF, 0xFE]), "a comment segment survived");
    }
    let decoded = image::load_from_memory(&served).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (200, 300));
}

#[tokio::test]
async fn images_over_40_megapixels_are_a_422_read_from_the_header() {
    let app = spawn_app().await;
    // 100,000 × 100,000 would be 40 GB of pixels; the file is 60 bytes.
    let reply = upload(&app, "image/png", png_claiming(100_000, 100_000, 8, 6)).await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["file"]);
    assert!(
        reply.json["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("40 megapixels")
    );
    let reply = upload(&app, "image/jpeg", jpeg_claiming(9000, 5000)).await;
    reply.assert_problem(422);
    assert!(reply.text.contains("9000 × 5000"), "{}", reply.text);
    // Just under the limit in pixels, but 16-bit RGBA: more memory than a
    // decode may take. Refused, not allocated.
    let reply = upload(&app, "image/png", png_claiming(6000, 6000, 16, 6)).await;
    reply.assert_problem(422);
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn truncated_and_corrupt_files_are_422s() {
    let app = spawn_app().await;
    let whole = jpeg(400, 300);
    let reply = upload(&app, "image/jpeg", whole[..whole.len() * 2 / 3].to_vec()).await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["file"]);
    let whole = png(400, 300);
    let reply = upload(&app, "image/png", whole[..whole.len() / 2].to_vec()).await;
    reply.assert_problem(422);
    let whole = gif(64, 64);
    upload(&app, "image/gif", whole[..whole.len() / 2].to_vec())
        .await
        .assert_problem(422);
    // Only the magic number of a PNG.
    upload(&app, "image/png", b"\x89PNG\r\n\x1a\n".to_vec())
        .await
        .assert_problem(422);
    // A header of zero pixels.
    upload(&app, "image/png", png_claiming(0, 10, 8, 2))
        .await
        .assert_problem(422);
    assert!(stored_files(&app).is_empty());
}

#[tokio::test]
async fn uploads_over_the_media_limit_are_a_413() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir);
    config.media_limit = 4096;
    let app = spawn_app_with(config, dir).await;
    let big = jpeg(600, 600);
    assert!(big.len() > 4096);
    let reply = upload(&app, "image/jpeg", big.clone()).await;
    reply.assert_problem(413);
    assert!(reply.text.contains("4096"), "{}", reply.text);
    let form = Form::new().part("file", Part::bytes(big).file_name("big.jpg"));
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/media"))
                .bearer_auth(&app.admin_token)
                .multipart(form),
        )
        .await;
    reply.assert_problem(413);
    // Within the limit, it is kept.
    uploaded(&app, "image/jpeg", "", jpeg(20, 20)).await;
}

#[tokio::test]
async fn a_multipart_upload_takes_the_file_and_text_parts() {
    let app = spawn_app().await;
    let form = Form::new()
        .part(
            "file",
            Part::bytes(png(50, 40))
                .file_name("chart.png")
                .mime_str("application/octet-stream")
                .unwrap(),
        )
        .text("alt", "A chart of the vote")
        .text("caption", "Votes by region.\nSource: the commission.")
        .text("credit", "Graphic: Desk");
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/media"))
                .bearer_auth(&app.admin_token)
                .multipart(form),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.json["content_type"], "image/png");
    assert_eq!(reply.json["alt"], "A chart of the vote");
    assert_eq!(
        reply.json["caption"],
        "Votes by region.\nSource: the commission."
    );
    assert_eq!(reply.json["credit"], "Graphic: Desk");

    let post = |form: Form| {
        app.client
            .post(app.url("/api/v1/media"))
            .bearer_auth(&app.admin_token)
            .multipart(form)
    };
    // No file part.
    let reply = app.send(post(Form::new().text("alt", "Nothing"))).await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["file"]);
    // An unknown part is named.
    let form = Form::new()
        .part("file", Part::bytes(png(10, 10)))
        .text("title", "Not a field");
    let reply = app.send(post(form)).await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["title"]);
    // A text both as a part and as a query parameter.
    let form = Form::new()
        .part("file", Part::bytes(png(10, 10)))
        .text("alt", "One");
    let reply = app
        .send(
            app.client
                .post(app.url("/api/v1/media?alt=Two"))
                .bearer_auth(&app.admin_token)
                .multipart(form),
        )
        .await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["alt"]);
    // A multipart body that is not one.
    let reply = upload(&app, "multipart/form-data; boundary=x", b"garbage".to_vec()).await;
    assert!(reply.status == 400 || reply.status == 422, "{}", reply.text);
    reply.assert_problem(reply.status.as_u16());
    assert_eq!(stored_files(&app).len(), 1);
}

#[tokio::test]
async fn uploading_needs_a_staff_token_and_bad_texts_are_422s() {
    let app = spawn_app().await;
    let anonymous = app
        .send(
            app.client
                .post(app.url("/api/v1/media"))
                .header("content-type", "image/png")
                .body(png(10, 10)),
        )
        .await;
    anonymous.assert_problem(401);
    let (_, author) = app.staff("author").await;
    let reply = upload_as(&app, &author, "image/png", "", png(10, 10)).await;
    assert_eq!(reply.status, 201, "authors upload: {}", reply.text);
    let long = "a".repeat(1001);
    let reply = upload_as(
        &app,
        &author,
        "image/png",
        &format!("?alt={long}&credit=%07"),
        png(10, 10),
    )
    .await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["alt", "credit"]);
    let reply = upload_as(&app, &author, "image/png", "?title=x", png(10, 10)).await;
    reply.assert_problem(400);
}

#[tokio::test]
async fn renditions_are_made_once_kept_and_never_upscaled() {
    let app = spawn_app().await;
    let media = uploaded(&app, "image/jpeg", "", jpeg(1200, 800)).await;
    let url = media["url"].as_str().unwrap().to_owned();
    let (status, headers, original) = file(&app, &url).await;
    assert_eq!(status, 200);
    let original_tag = headers["etag"].to_str().unwrap().to_owned();

    let (status, headers, small) = file(&app, &format!("{url}?w=640")).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/jpeg");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let tag = headers["etag"].to_str().unwrap().to_owned();
    assert!(
        tag.starts_with('"') && !tag.starts_with("W/"),
        "a strong tag: {tag}"
    );
    assert_ne!(tag, original_tag);
    let decoded = image::load_from_memory(&small).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (640, 427));

    // Kept in the store, and served from there the second time.
    let files = stored_files(&app);
    assert_eq!(files.len(), 2, "{files:?}");
    let (path, _) = files
        .iter()
        .find(|(path, _)| path.to_string_lossy().contains("w640"))
        .unwrap();
    let made = std::fs::metadata(path).unwrap().modified().unwrap();
    let (_, again_headers, again) = file(&app, &format!("{url}?w=640")).await;
    assert_eq!(again, small);
    assert_eq!(again_headers["etag"].to_str().unwrap(), tag);
    assert_eq!(std::fs::metadata(path).unwrap().modified().unwrap(), made);

    // 1600 is wider than the image: the image itself, not an upscale.
    let (status, headers, wide) = file(&app, &format!("{url}?w=1600")).await;
    assert_eq!(status, 200);
    assert_eq!(wide, original);
    assert_eq!(headers["etag"].to_str().unwrap(), original_tag);
    assert_eq!(stored_files(&app).len(), 2);

    // Other widths are a 422 naming w.
    for bad in ["500", "0", "-1", "abc", "99999999999"] {
        let reply = app.get(&format!("{url}?w={bad}")).await;
        assert!(
            reply.status == 422 || reply.status == 400,
            "w={bad}: {}",
            reply.status
        );
        reply.assert_problem(reply.status.as_u16());
    }
    app.get(&format!("{url}?w=500")).await.assert_problem(422);
    app.get("/api/v1/media/999/file").await.assert_problem(404);
    app.get("/api/v1/media/999/file?w=320")
        .await
        .assert_problem(404);
}

#[tokio::test]
async fn if_none_match_gives_a_304_for_files_and_records() {
    let app = spawn_app().await;
    let media = uploaded(&app, "image/png", "", png(700, 100)).await;
    for path in [
        format!("{}?w=320", media["url"].as_str().unwrap()),
        media["url"].as_str().unwrap().to_owned(),
    ] {
        let (_, headers, _) = file(&app, &path).await;
        let tag = headers["etag"].to_str().unwrap().to_owned();
        let reply = app
            .send(app.client.get(app.url(&path)).header("if-none-match", &tag))
            .await;
        assert_eq!(reply.status, 304, "{path}");
        assert!(reply.text.is_empty());
        assert_eq!(reply.header("etag"), Some(tag.as_str()));
        assert_eq!(
            reply.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        let reply = app
            .send(
                app.client
                    .get(app.url(&path))
                    .header("if-none-match", "\"other\""),
            )
            .await;
        assert_eq!(reply.status, 200);
    }
    let record = format!("/api/v1/media/{}", media["id"]);
    let tag = app.etag_as("", &record).await;
    let reply = app
        .send(
            app.client
                .get(app.url(&record))
                .header("if-none-match", &tag),
        )
        .await;
    assert_eq!(reply.status, 304);
}

#[tokio::test]
async fn an_animated_gif_keeps_its_frames_in_the_file_and_its_renditions() {
    let app = spawn_app().await;
    let media = uploaded(&app, "image/gif", "", gif(400, 200)).await;
    assert_eq!(media["content_type"], "image/gif");
    assert_eq!(media["renditions"].as_array().unwrap().len(), 1);
    for (path, width) in [
        (media["url"].as_str().unwrap().to_owned(), 400),
        (format!("{}?w=320", media["url"].as_str().unwrap()), 320),
    ] {
        let (status, _, bytes) = file(&app, &path).await;
        assert_eq!(status, 200);
        let frames = image::codecs::gif::GifDecoder::new(Cursor::new(bytes))
            .unwrap()
            .into_frames()
            .collect_frames()
            .unwrap();
        assert_eq!(frames.len(), 3, "{path}");
        assert_eq!(frames[0].buffer().width(), width);
    }
}

#[tokio::test]
async fn patch_changes_texts_and_the_focal_point_and_null_clears_them() {
    let app = spawn_app().await;
    let media = uploaded(&app, "image/png", "?alt=Old&caption=Kept", png(100, 100)).await;
    let path = format!("/api/v1/media/{}", media["id"]);
    let reply = app
        .patch(
            &path,
            &json!({"alt": "New alt", "focal_point": {"x": 0.25, "y": 1}}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json["alt"], "New alt");
    assert_eq!(reply.json["caption"], "Kept");
    assert_eq!(reply.json["focal_point"], json!({"x": 0.25, "y": 1.0}));
    assert_eq!(app.get(&path).await.json, reply.json);

    let reply = app
        .patch(&path, &json!({"alt": null, "focal_point": null}))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json["alt"], json!(null));
    assert_eq!(reply.json["focal_point"], json!(null));

    let reply = app
        .patch(
            &path,
            &json!({"focal_point": {"x": 1.5, "y": -0.1}, "credit": "x".repeat(301)}),
        )
        .await;
    reply.assert_problem(422);
    let mut fields = reply.error_fields();
    fields.sort();
    assert_eq!(fields, ["credit", "focal_point.x", "focal_point.y"]);
    let reply = app.patch(&path, &json!({"focal_point": {"x": 0.5}})).await;
    reply.assert_problem(422);
    let reply = app.patch(&path, &json!({"width": 10})).await;
    reply.assert_problem(422);
    assert_eq!(reply.error_fields(), ["width"]);
    app.patch("/api/v1/media/999", &json!({"alt": "x"}))
        .await
        .assert_problem(404);

    // If-Match: a stale tag changes nothing.
    let current = app.etag_as("", &path).await;
    app.patch(&path, &json!({"caption": "Moved on"})).await;
    let reply = app
        .json_if_match(
            Method::PATCH,
            &path,
            &current,
            Some(&json!({"caption": "Stale"})),
        )
        .await;
    reply.assert_problem(412);
    assert_eq!(app.get(&path).await.json["caption"], "Moved on");
}

#[tokio::test]
async fn authors_change_only_their_own_media_and_only_editors_delete() {
    let app = spawn_app().await;
    let (_, author) = app.staff("author").await;
    let (_, other) = app.staff("author").await;
    let (_, editor) = app.staff("editor").await;
    let reply = upload_as(&app, &author, "image/png", "", png(30, 30)).await;
    let path = format!("/api/v1/media/{}", reply.json["id"]);
    let patch = json!({"alt": "Mine"});
    let reply = app.json_as(&author, Method::PATCH, &path, &patch).await;
    assert_eq!(reply.status, 200);
    app.json_as(&other, Method::PATCH, &path, &patch)
        .await
        .assert_problem(403);
    assert_eq!(
        app.json_as(&editor, Method::PATCH, &path, &patch)
            .await
            .status,
        200
    );

    app.delete_as(&author, &path).await.assert_problem(403);
    let stale = app
        .json_if_match(Method::DELETE, &path, "\"stale\"", None)
        .await;
    stale.assert_problem(412);
    assert_eq!(stored_files(&app).len(), 1);
    // Served until it is deleted.
    assert_eq!(app.get(&format!("{path}/file")).await.status, 200);
    let reply = app.delete_as(&editor, &path).await;
    assert_eq!(reply.status, 204, "{}", reply.text);
    app.get(&path).await.assert_problem(404);
    app.get(&format!("{path}/file")).await.assert_problem(404);
    assert!(
        stored_files(&app).is_empty(),
        "the files went with the record"
    );
    app.delete_as(&editor, &path).await.assert_problem(404);

    // Ids are not given again: a cached file URL never shows another image.
    let next = upload_as(&app, &author, "image/png", "", png(30, 30)).await;
    assert_ne!(format!("/api/v1/media/{}", next.json["id"]), path);
}

#[tokio::test]
async fn the_library_list_is_for_staff_newest_first_and_paged() {
    let app = spawn_app().await;
    for width in [10, 20, 30] {
        uploaded(&app, "image/png", "", png(width, 10)).await;
    }
    app.get("/api/v1/media").await.assert_problem(401);
    let (_, author) = app.staff("author").await;
    let reply = app.get_as(&author, "/api/v1/media?per_page=2").await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("x-total-count"), Some("3"));
    let widths: Vec<i64> = reply.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|media| media["width"].as_i64().unwrap())
        .collect();
    assert_eq!(widths, [30, 20]);
    assert_eq!(reply.json["meta"]["total_pages"], 2);
    let page = app.get_as(&author, "/api/v1/media?per_page=2&page=2").await;
    assert_eq!(page.json["data"][0]["width"], 10);
    app.get_as(&author, "/api/v1/media?per_page=101")
        .await
        .assert_problem(422);
    app.get_as(&author, "/api/v1/media?sort=x")
        .await
        .assert_problem(400);
}

/// A local S3-compatible server (moto's server mode), when it can be
/// started: `target/moto/bin/moto_server` (what `.ci/run` installs) or one
/// on `PATH`.
struct Moto {
    child: std::process::Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_moto() -> Option<Moto> {
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/moto/bin/moto_server");
    let program = if local.exists() {
        local
    } else {
        PathBuf::from("moto_server")
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = std::process::Command::new(&program)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..100 {
        if client.get(&moto.endpoint).send().await.is_ok() {
            return Some(moto);
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    None
}

#[tokio::test]
async fn the_s3_store_keeps_uploads_and_renditions_in_the_bucket() {
    let Some(moto) = start_moto().await else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI installs moto (target/moto, see .ci/run): the S3 test must run there"
        );
        eprintln!(
            "SKIPPED the_s3_store_keeps_uploads_and_renditions_in_the_bucket: moto_server could \
             not be started (python3 -m venv target/moto && target/moto/bin/pip install 'moto[server]')"
        );
        return;
    };
    let client = reqwest::Client::new();
    let bucket = client
        .put(format!("{}/newsroom", moto.endpoint))
        .send()
        .await
        .unwrap();
    assert!(bucket.status().is_success(), "{}", bucket.status());

    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(&dir);
    config.media_store = Some("s3://newsroom/site/media".to_owned());
    config.media_s3_options = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_ENDPOINT", moto.endpoint.as_str()),
        ("AWS_ALLOW_HTTP", "true"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect();
    let app = spawn_app_with(config, dir).await;
    let media = uploaded(&app, "image/jpeg", "", jpeg_with_exif(900, 600, 1)).await;
    let url = media["url"].as_str().unwrap().to_owned();
    let (status, _, original) = file(&app, &url).await;
    assert_eq!(status, 200);
    assert!(!contains(&original, b"SECRET"));
    let (status, _, small) = file(&app, &format!("{url}?w=320")).await;
    assert_eq!(status, 200);
    assert_eq!(image::load_from_memory(&small).unwrap().width(), 320);
    assert!(
        stored_files(&app).is_empty(),
        "nothing went to the directory"
    );

    // The bucket holds both, under the prefix.
    let listing = client
        .get(format!(
            "{}/newsroom?list-type=2&prefix=site/media/",
            moto.endpoint
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let keys: Vec<&str> = listing
        .split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split("</Key>").next())
        .collect();
    assert_eq!(keys.len(), 2, "{listing}");
    assert!(
        keys.iter().any(|key| key.ends_with("/original.jpg")),
        "{keys:?}"
    );
    assert!(
        keys.iter().any(|key| key.ends_with("/w320.jpg")),
        "{keys:?}"
    );
    assert!(
        listing.contains(&format!("<Size>{}</Size>", original.len())),
        "the bucket's original is the file served: {listing}"
    );

    // Deleting takes them out of the bucket.
    let reply = app.delete(&format!("/api/v1/media/{}", media["id"])).await;
    assert_eq!(reply.status, 204);
    let listing = client
        .get(format!(
            "{}/newsroom?list-type=2&prefix=site/media/",
            moto.endpoint
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!listing.contains("<Key>"), "{listing}");
}
