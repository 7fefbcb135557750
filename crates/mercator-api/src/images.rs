//! Product images: originals kept byte for byte, named by content hash in the
//! data folder's `images/`, with a JPEG thumbnail in `images/thumbs/`. Image
//! files are untrusted input: decoded with limits, never handed to the webview
//! as files (thumbnails travel inline as data URLs).

use crate::{ApiError, ApiResult};
use base64::Engine;
use image::{ImageFormat, ImageReader};
use mercator_core::catalog::ImageRef;
use mercator_core::ErrorCode;
use mercator_store::Store;
use sha2::{Digest, Sha256};
use std::io::Cursor;
use std::path::{Path, PathBuf};

pub const MAX_IMAGE_BYTES: usize = 40 * 1024 * 1024;
pub const MAX_IMAGE_SIDE: u32 = 12_000;
/// Memory a decoded image may take.
pub const MAX_DECODED_BYTES: u64 = 600 * 1024 * 1024;
pub const THUMB_SIDE: u32 = 240;
pub const MAX_IMAGES: usize = 12;

pub fn images_dir(store: &Store) -> PathBuf {
    store.data_dir().join("images")
}

/// The thumbnail as a `data:` URL, or "" when the file is gone.
pub fn thumb_data_url(dir: &Path, thumb: &str) -> String {
    if thumb.contains(['/', '\\']) || thumb.starts_with('.') {
        return String::new();
    }
    match std::fs::read(dir.join("thumbs").join(thumb)) {
        Ok(bytes) => format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(bytes)),
        Err(_) => String::new(),
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.exists() {
        return Ok(()); // content-addressed: same name, same bytes
    }
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// Decodes `bytes` (PNG, JPEG, WebP, GIF), stores the original and a
/// thumbnail, and returns the reference to add to a product.
pub fn store_image(dir: &Path, name: &str, bytes: &[u8]) -> ApiResult<ImageRef> {
    let unreadable = || ApiError::new(ErrorCode::ImageUnreadable).arg("name", name);
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ApiError::new(ErrorCode::ImageTooLarge).arg("name", name).arg("max", "40 MB"));
    }
    let reader = ImageReader::new(Cursor::new(bytes)).with_guessed_format().map_err(|_| unreadable())?;
    let format = reader.format().ok_or_else(unreadable)?;
    let ext = match format {
        ImageFormat::Png => "png",
        ImageFormat::Jpeg => "jpg",
        ImageFormat::WebP => "webp",
        ImageFormat::Gif => "gif",
        _ => return Err(unreadable()),
    };
    let (w, h) = reader.into_dimensions().map_err(|_| unreadable())?;
    if w > MAX_IMAGE_SIDE || h > MAX_IMAGE_SIDE || w == 0 || h == 0 {
        return Err(ApiError::new(ErrorCode::ImageTooLarge)
            .arg("name", name)
            .arg("max", format!("{MAX_IMAGE_SIDE} px")));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_IMAGE_SIDE);
    limits.max_image_height = Some(MAX_IMAGE_SIDE);
    // the largest allowed side as 8-bit RGBA fits; 16-bit RGBA at that size does not
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => ApiError::new(ErrorCode::ImageTooLarge)
            .arg("name", name)
            .arg("max", format!("{} MB", MAX_DECODED_BYTES >> 20)),
        _ => unreadable(),
    })?;
    let hash = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect::<String>();
    let file = format!("{}.{ext}", &hash[..32]);
    let thumb = format!("{}.jpg", &hash[..32]);
    let io = |e: std::io::Error| ApiError::new(ErrorCode::DbIo).arg("path", dir.display()).arg("detail", e);
    std::fs::create_dir_all(dir.join("thumbs")).map_err(io)?;
    write_atomic(&dir.join(&file), bytes).map_err(io)?;
    let small = img.thumbnail(THUMB_SIDE, THUMB_SIDE).to_rgb8();
    let mut out = Cursor::new(Vec::new());
    small.write_to(&mut out, ImageFormat::Jpeg).map_err(|_| unreadable())?;
    write_atomic(&dir.join("thumbs").join(&thumb), out.get_ref()).map_err(io)?;
    Ok(ImageRef { file, thumb, width: w, height: h, variants: vec![] })
}

/// A product picture for the demo shop: a soft two-tone square with a simple
/// object shape, `side` pixels, as JPEG bytes.
pub fn demo_picture(seed: u32, side: u32) -> Vec<u8> {
    let hue = (seed.wrapping_mul(47)) % 360;
    let (r, g, b) = hsl(hue, 45, 78);
    let (r2, g2, b2) = hsl(hue, 55, 42);
    let c = side / 2;
    let rad = side * 3 / 10;
    let img = image::RgbImage::from_fn(side, side, |x, y| {
        let dx = x.abs_diff(c);
        let dy = y.abs_diff(c + side / 20);
        let inside = if seed.is_multiple_of(2) { dx * dx + dy * dy < rad * rad } else { dx < rad && dy < rad * 4 / 5 };
        let shadow = y > c + rad && y < c + rad + side / 25 && dx < rad;
        if inside {
            image::Rgb([r2, g2, b2])
        } else if shadow {
            image::Rgb([r.saturating_sub(30), g.saturating_sub(30), b.saturating_sub(30)])
        } else {
            image::Rgb([r, g, b])
        }
    });
    let mut out = Cursor::new(Vec::new());
    let _ = img.write_to(&mut out, ImageFormat::Jpeg);
    out.into_inner()
}

/// HSL (degrees, percent, percent) to RGB with integer math.
fn hsl(h: u32, s: u32, l: u32) -> (u8, u8, u8) {
    let c = (100 - (2 * l as i32 - 100).abs()) as u32 * s / 100; // chroma, 0..100
    let hp = h / 60;
    let x = c * (60 - ((h % 120) as i32 - 60).unsigned_abs()) / 60;
    let (r, g, b) = match hp {
        0 => (c, x, 0),
        1 => (x, c, 0),
        2 => (0, c, x),
        3 => (0, x, c),
        4 => (x, 0, c),
        _ => (c, 0, x),
    };
    let m = l.saturating_sub(c / 2);
    let to = |v: u32| ((v + m) * 255 / 100).min(255) as u8;
    (to(r), to(g), to(b))
}

/// Gives the demo shop's products pictures (all but a few, so the "images
/// missing" rule has something to show). Runs once, after first paint.
pub async fn seed_demo_images(store: &Store) -> ApiResult<usize> {
    let dir = images_dir(store);
    let ids = store.products_without_images().await?;
    let mut done = 0;
    for (i, id) in ids.iter().enumerate() {
        if i % 9 == 4 {
            continue;
        }
        // a few small pictures too: they get the "image too small" warning
        let side = if i % 13 == 7 { 400 } else { 800 };
        let seed = i as u32;
        let dir2 = dir.clone();
        let img = tokio::task::spawn_blocking(move || store_image(&dir2, "demo.jpg", &demo_picture(seed, side)))
            .await
            .map_err(|e| ApiError::new(ErrorCode::Internal).arg("detail", e))??;
        store.seed_images(id, &[img]).await?;
        done += 1;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stores_original_and_thumbnail_and_refuses_junk() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = demo_picture(3, 640);
        let r = store_image(dir.path(), "a.jpg", &bytes).unwrap();
        assert_eq!((r.width, r.height), (640, 640));
        assert_eq!(std::fs::read(dir.path().join(&r.file)).unwrap(), bytes, "original kept byte for byte");
        let url = thumb_data_url(dir.path(), &r.thumb);
        assert!(url.starts_with("data:image/jpeg;base64,"));
        let thumb = image::load_from_memory(&std::fs::read(dir.path().join("thumbs").join(&r.thumb)).unwrap()).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (THUMB_SIDE, THUMB_SIDE));
        // same bytes again: same names
        assert_eq!(store_image(dir.path(), "b.jpg", &bytes).unwrap(), r);
        let e = store_image(dir.path(), "notes.png", b"%PDF-1.4 not an image").unwrap_err();
        assert_eq!(e.0.code, "image-unreadable");
        let mut truncated = bytes.clone();
        truncated.truncate(200);
        assert_eq!(store_image(dir.path(), "cut.jpg", &truncated).unwrap_err().0.code, "image-unreadable");
        assert_eq!(thumb_data_url(dir.path(), "../secret"), "");
    }
}
