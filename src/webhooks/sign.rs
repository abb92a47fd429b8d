//! Signing after the Standard Webhooks spec: `webhook-signature` is `v1,`
//! and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`, keyed with the
//! bytes the secret's base64 (after `whsec_`) stands for.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// What every secret starts with.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and the base64 of 32 random bytes (from
/// the operating system's generator, through rand's thread RNG).
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// A new event id: `evt_`, the time in milliseconds and 10 random bytes,
/// in hex, so that ids sort by creation and never repeat.
pub fn new_event_id() -> String {
    let millis = chrono::Utc::now().timestamp_millis();
    let random: [u8; 10] = rand::random();
    let random: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("evt_{millis:012x}{random}")
}

/// The `webhook-signature` value for one delivery.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Result<String, String> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = STANDARD
        .decode(encoded)
        .map_err(|err| format!("the webhook's secret is not base64: {err}"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)
        .map_err(|err| format!("the webhook's secret cannot key HMAC: {err}"))?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_secret_is_whsec_and_32_bytes_of_base64() {
        let secret = new_secret();
        let bytes = STANDARD
            .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or_default())
            .unwrap_or_default();
        assert_eq!(bytes.len(), 32);
        assert_ne!(new_secret(), secret);
    }

    #[test]
    fn event_ids_are_unique_and_sort_by_time() {
        let first = new_event_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = new_event_id();
        assert!(first.starts_with("evt_") && first.len() == 4 + 12 + 20);
        assert!(first < second);
    }
}
