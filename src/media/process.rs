//! What happens to an uploaded image before it is kept: its type read from
//! its bytes, its size checked from its header before any pixel is decoded,
//! its pixels decoded under allocation limits, turned upright (EXIF
//! orientation) and encoded again, so that no EXIF, GPS, XMP or comment of
//! the upload survives; and the resized renditions made from what was kept.
//!
//! All of it is CPU work for a worker thread (see `media::Jobs`), never
//! for the async workers.

use std::io::Cursor;

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::{JpegDecoder, JpegEncoder};
use image::codecs::png::{CompressionType, PngDecoder, PngEncoder};
use image::codecs::webp::{WebPDecoder, WebPEncoder};
use image::imageops::FilterType;
use image::{
    AnimationDecoder, DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, Limits, RgbaImage,
};

/// Largest image accepted, in pixels (width × height): 40 megapixels.
pub const MAX_PIXELS: u64 = 40_000_000;

/// The pixels all frames of an animated GIF may have together: as many as
/// one still image may have, so that decoding one costs no more.
pub const MAX_ANIMATION_PIXELS: u64 = MAX_PIXELS;

/// Largest allocation a decoder may make (the pixels of a 40-megapixel
/// image in RGBA at 8 bits are 160 MB; 16-bit ones, twice that, are
/// refused).
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// The widths of the renditions, in pixels.
pub const WIDTHS: [u32; 4] = [320, 640, 1024, 1600];

/// JPEG quality of the kept original (high: it is the master copy) and of
/// renditions (the usual web figure).
const ORIGINAL_QUALITY: u8 = 90;
const RENDITION_QUALITY: u8 = 82;

/// The resampling filter of renditions: Catmull-Rom is as sharp as
/// Lanczos3 for downscaling photos at a smaller kernel. A rendition is made
/// once per image and width, so its speed matters little.
const FILTER: FilterType = FilterType::CatmullRom;

/// The image types the library keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    WebP,
    Gif,
}

impl Format {
    /// The type, read from the first bytes (magic numbers), whatever the
    /// request said.
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        match image::guess_format(bytes).ok()? {
            ImageFormat::Jpeg => Some(Format::Jpeg),
            ImageFormat::Png => Some(Format::Png),
            ImageFormat::WebP => Some(Format::WebP),
            ImageFormat::Gif => Some(Format::Gif),
            _ => None,
        }
    }

    /// The media type of a stored content type, as written by `content_type`.
    pub fn from_content_type(content_type: &str) -> Option<Format> {
        match content_type {
            "image/jpeg" => Some(Format::Jpeg),
            "image/png" => Some(Format::Png),
            "image/webp" => Some(Format::WebP),
            "image/gif" => Some(Format::Gif),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::WebP => "image/webp",
            Format::Gif => "image/gif",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::WebP => "webp",
            Format::Gif => "gif",
        }
    }
}

/// Why an upload cannot be kept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The bytes are not a JPEG, PNG, WebP or GIF image (415).
    #[error("not a JPEG, PNG, WebP or GIF image")]
    NotAnImage,
    /// More pixels than `MAX_PIXELS` (422), told by the header alone.
    #[error("{width} × {height} pixels is more than 40 megapixels")]
    TooManyPixels { width: u32, height: u32 },
    /// The image cannot be decoded: truncated, corrupt, or beyond what a
    /// decoder may allocate (422).
    #[error("{0}")]
    Unreadable(String),
    /// A valid image of a kind not kept (422): an animated WebP.
    #[error("{0}")]
    Unsupported(String),
    /// Encoding failed: a bug, not the client's doing (500).
    #[error("cannot encode the image: {0}")]
    Encoding(String),
}

/// An image as kept: re-encoded, upright, without metadata.
#[derive(Debug, Clone)]
pub struct Normalised {
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

fn unreadable(err: &image::ImageError) -> ImageError {
    match err {
        image::ImageError::Limits(_) => ImageError::Unreadable(
            "the image needs more memory to decode than the server allows (over 256 MB)".to_owned(),
        ),
        image::ImageError::Unsupported(err) => ImageError::Unreadable(format!(
            "the image uses a feature that cannot be read: {err}"
        )),
        _ => ImageError::Unreadable(
            "the image is truncated or corrupt and cannot be decoded".to_owned(),
        ),
    }
}

fn encoding(err: impl std::fmt::Display) -> ImageError {
    ImageError::Encoding(err.to_string())
}

/// Refuses what is too large from the dimensions alone.
fn check_size(width: u32, height: u32) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(ImageError::Unreadable(
            "the image has no pixels (a width or height of 0)".to_owned(),
        ));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ImageError::TooManyPixels { width, height });
    }
    Ok(())
}

/// A still image's decoder, its header read and checked (size limits
/// included) before any pixel is decoded.
fn still_decoder<'a>(
    format: Format,
    bytes: &'a [u8],
) -> Result<Box<dyn ImageDecoder + 'a>, ImageError> {
    let cursor = Cursor::new(bytes);
    let mut decoder: Box<dyn ImageDecoder + 'a> = match format {
        Format::Jpeg => Box::new(JpegDecoder::new(cursor).map_err(|err| unreadable(&err))?),
        Format::Png => Box::new(PngDecoder::new(cursor).map_err(|err| unreadable(&err))?),
        Format::WebP => {
            let decoder = WebPDecoder::new(cursor).map_err(|err| unreadable(&err))?;
            if decoder.has_animation() {
                return Err(ImageError::Unsupported(
                    "animated WebP is not supported; upload it as a GIF".to_owned(),
                ));
            }
            Box::new(decoder)
        }
        Format::Gif => Box::new(GifDecoder::new(cursor).map_err(|err| unreadable(&err))?),
    };
    let (width, height) = decoder.dimensions();
    check_size(width, height)?;
    decoder
        .set_limits(limits())
        .map_err(|err| unreadable(&err))?;
    Ok(decoder)
}

/// A JPEG whose last scan has no end marker after it was cut short: the
/// JPEG decoder fills what is missing with grey rather than fail, so the
/// check is ours. (An end marker inside an embedded EXIF thumbnail comes
/// before the main image's scans, so it does not count.)
fn jpeg_is_truncated(bytes: &[u8]) -> bool {
    let last = |marker: u8| bytes.windows(2).rposition(|pair| pair == [0xFF, marker]);
    match (last(0xDA), last(0xD9)) {
        (Some(scan), Some(end)) => end < scan,
        _ => true,
    }
}

/// Reads an upload and re-encodes it as it will be kept (see the module
/// comment). The type comes from the bytes; the result has the same type.
pub fn normalise(bytes: &[u8]) -> Result<Normalised, ImageError> {
    let format = Format::sniff(bytes).ok_or(ImageError::NotAnImage)?;
    if format == Format::Jpeg && jpeg_is_truncated(bytes) {
        return Err(ImageError::Unreadable(
            "the JPEG is truncated (it has no end marker after its last scan)".to_owned(),
        ));
    }
    if format == Format::Gif {
        return gif(bytes, None);
    }
    let mut decoder = still_decoder(format, bytes)?;
    let orientation = decoder.orientation().map_err(|err| unreadable(&err))?;
    // The colour profile is kept: it is how the pixels' colours are
    // meant, not metadata about the picture or its taker.
    let icc = decoder.icc_profile().ok().flatten();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|err| unreadable(&err))?;
    image.apply_orientation(orientation);
    let bytes = encode(format, &image, icc, ORIGINAL_QUALITY)?;
    Ok(Normalised {
        format,
        width: image.width(),
        height: image.height(),
        bytes,
    })
}

/// The rendition of a kept image (`normalise`'s output) at `width` pixels
/// wide, its height in proportion; `None` when the image is not wider than
/// that (renditions are never upscaled).
pub fn rendition(bytes: &[u8], width: u32) -> Result<Option<Normalised>, ImageError> {
    let format = Format::sniff(bytes).ok_or(ImageError::NotAnImage)?;
    if format == Format::Gif {
        let (original_width, _) = gif_dimensions(bytes)?;
        if original_width <= width {
            return Ok(None);
        }
        return gif(bytes, Some(width)).map(Some);
    }
    let mut decoder = still_decoder(format, bytes)?;
    let (original_width, original_height) = decoder.dimensions();
    if original_width <= width {
        return Ok(None);
    }
    let icc = decoder.icc_profile().ok().flatten();
    let image = DynamicImage::from_decoder(decoder).map_err(|err| unreadable(&err))?;
    let height = scaled_height(original_width, original_height, width);
    let resized = image.resize_exact(width, height, FILTER);
    let bytes = encode(format, &resized, icc, RENDITION_QUALITY)?;
    Ok(Some(Normalised {
        format,
        width,
        height,
        bytes,
    }))
}

/// The height that keeps the aspect ratio at `width`, at least 1 pixel.
pub fn scaled_height(original_width: u32, original_height: u32, width: u32) -> u32 {
    let height = (u64::from(original_height) * u64::from(width) + u64::from(original_width) / 2)
        / u64::from(original_width).max(1);
    u32::try_from(height.max(1)).unwrap_or(u32::MAX)
}

fn encode(
    format: Format,
    image: &DynamicImage,
    icc: Option<Vec<u8>>,
    quality: u8,
) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    match format {
        Format::Jpeg => {
            let mut encoder = JpegEncoder::new_with_quality(&mut out, quality);
            if let Some(icc) = icc {
                // A profile the encoder cannot embed is left out.
                let _ = encoder.set_icc_profile(icc);
            }
            // JPEG has no alpha channel and 8 bits per sample.
            match image {
                DynamicImage::ImageRgb8(_) | DynamicImage::ImageLuma8(_) => {
                    image.write_with_encoder(encoder).map_err(encoding)?;
                }
                other => DynamicImage::ImageRgb8(other.to_rgb8())
                    .write_with_encoder(encoder)
                    .map_err(encoding)?,
            }
        }
        Format::Png => {
            let mut encoder = PngEncoder::new_with_quality(
                &mut out,
                CompressionType::Default,
                image::codecs::png::FilterType::Adaptive,
            );
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc);
            }
            image.write_with_encoder(encoder).map_err(encoding)?;
        }
        Format::WebP => {
            // The only WebP encoder in pure Rust is lossless.
            let mut encoder = WebPEncoder::new_lossless(&mut out);
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc);
            }
            let image = match image {
                DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => image.clone(),
                other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
                other => DynamicImage::ImageRgb8(other.to_rgb8()),
            };
            image.write_with_encoder(encoder).map_err(encoding)?;
        }
        Format::Gif => {
            let mut encoder = GifEncoder::new(&mut out);
            encoder
                .encode(
                    image.to_rgba8().as_raw(),
                    image.width(),
                    image.height(),
                    image::ExtendedColorType::Rgba8,
                )
                .map_err(encoding)?;
        }
    }
    Ok(out)
}

fn gif_dimensions(bytes: &[u8]) -> Result<(u32, u32), ImageError> {
    let decoder = GifDecoder::new(Cursor::new(bytes)).map_err(|err| unreadable(&err))?;
    Ok(decoder.dimensions())
}

/// A GIF decoded frame by frame and encoded again (at `width`, when given),
/// with every frame and its delay, looping for ever; nothing else of the
/// upload (comments, XMP in application extensions) is kept.
fn gif(bytes: &[u8], width: Option<u32>) -> Result<Normalised, ImageError> {
    let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(|err| unreadable(&err))?;
    let (original_width, original_height) = decoder.dimensions();
    check_size(original_width, original_height)?;
    decoder
        .set_limits(limits())
        .map_err(|err| unreadable(&err))?;
    let (out_width, out_height) = match width {
        Some(width) => (width, scaled_height(original_width, original_height, width)),
        None => (original_width, original_height),
    };
    let frame_pixels = u64::from(original_width) * u64::from(original_height);
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(&mut out, 10);
        encoder.set_repeat(Repeat::Infinite).map_err(encoding)?;
        let mut pixels = 0u64;
        for frame in decoder.into_frames() {
            let frame = frame.map_err(|err| unreadable(&err))?;
            pixels += frame_pixels;
            if pixels > MAX_ANIMATION_PIXELS {
                return Err(ImageError::Unreadable(
                    "the animation's frames have more than 40 megapixels together".to_owned(),
                ));
            }
            let frame = if width.is_some() {
                let delay = frame.delay();
                let buffer: RgbaImage = frame.into_buffer();
                let resized = image::imageops::resize(&buffer, out_width, out_height, FILTER);
                image::Frame::from_parts(resized, 0, 0, delay)
            } else {
                frame
            };
            encoder.encode_frame(frame).map_err(encoding)?;
        }
        if pixels == 0 {
            return Err(ImageError::Unreadable("the GIF has no frames".to_owned()));
        }
    }
    Ok(Normalised {
        format: Format::Gif,
        width: out_width,
        height: out_height,
        bytes: out,
    })
}

#[cfg(test)]
#[expect(
    clippy::unwrap_used,
    reason = "a test should stop loudly at the first surprise"
)]
mod tests {
    use super::*;

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let image = DynamicImage::ImageRgb8(image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }));
        encode(Format::Jpeg, &image, None, 90).unwrap()
    }

    #[test]
    fn a_cut_jpeg_is_told_from_a_whole_one() {
        let whole = jpeg(64, 48);
        assert!(!jpeg_is_truncated(&whole));
        assert!(jpeg_is_truncated(&whole[..whole.len() - 40]));
        assert!(matches!(
            normalise(&whole[..whole.len() / 2]),
            Err(ImageError::Unreadable(_))
        ));
    }

    #[test]
    fn heights_keep_the_aspect_ratio_and_never_reach_zero() {
        assert_eq!(scaled_height(4000, 3000, 320), 240);
        assert_eq!(scaled_height(10_000, 1, 320), 1);
        assert_eq!(scaled_height(1000, 333, 640), 213);
    }

    #[test]
    fn renditions_are_never_wider_than_the_original() {
        let original = normalise(&jpeg(500, 250)).unwrap();
        assert!(rendition(&original.bytes, 640).unwrap().is_none());
        let small = rendition(&original.bytes, 320).unwrap().unwrap();
        assert_eq!((small.width, small.height), (320, 160));
        let decoded = image::load_from_memory(&small.bytes).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (320, 160));
    }
}
