//! Argon2id password hashes (OWASP's minimum parameters, argon2's default).

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

pub const MIN_LEN: usize = 12;
pub const MAX_LEN: usize = 256;

/// A PHC string (`$argon2id$v=19$…`) for `password`, with a random salt.
pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| format!("cannot hash a password: {err}"))
}

/// True when `stored` reads as a password hash (a PHC string), such as
/// `hash` makes: what an imported account may carry.
pub fn is_hash(stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| hash.algorithm.as_str().starts_with("argon2"))
}

/// True when `password` matches `stored`. A missing or unreadable hash
/// still costs one verification, so that the time of an answer does not
/// tell which accounts exist.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let parsed = stored.and_then(|stored| PasswordHash::new(stored).ok());
    match parsed {
        Some(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        None => {
            if let Some(dummy) = dummy_hash() {
                let _ = Argon2::default().verify_password(password.as_bytes(), &dummy);
            }
            false
        }
    }
}

/// A hash of a random password, made once, to verify against when there
/// is no account.
fn dummy_hash() -> Option<PasswordHash> {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    DUMMY
        .get_or_init(|| {
            let secret: [u8; 16] = rand::random();
            hash(&format!("{secret:?}")).ok()
        })
        .as_deref()
        .and_then(|hash| PasswordHash::new(hash).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let stored = hash("correct horse battery").unwrap_or_default();
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", Some(&stored)));
        assert!(!verify("wrong horse battery", Some(&stored)));
        assert!(!verify("anything", None));
        assert!(!verify("anything", Some("not a hash")));
    }
}
