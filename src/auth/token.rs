//! HS256 access tokens: `sub` (user id), `role`, `iat`, `exp`, `iss`.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::Role;

pub const ISSUER: &str = "newsdesk";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The user id, as a string (RFC 7519).
    pub sub: String,
    pub role: Role,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
}

/// The keys and rules for issuing and checking tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    preview_validation: Validation,
    pub ttl_seconds: u64,
}

/// The audience of preview tokens: an access token has none, so neither
/// kind is taken for the other.
pub const PREVIEW_AUDIENCE: &str = "newsdesk-preview";

/// A preview link's token: read-only access to one article, while the
/// article's preview generation is still `gen` (a revocation moves it).
#[derive(Debug, Serialize, Deserialize)]
pub struct PreviewClaims {
    /// `article:<id>`, never a user id, so that it is no bearer token.
    pub sub: String,
    pub aud: String,
    pub generation: i32,
    pub iat: u64,
    pub exp: u64,
    pub iss: String,
}

impl TokenKeys {
    /// Keys from `secret`, or from 32 random bytes (with a warning) when
    /// there is none: tokens then die with the process.
    pub fn new(secret: Option<&str>, ttl_seconds: u64) -> TokenKeys {
        let random;
        let secret = match secret {
            Some(secret) => secret.as_bytes(),
            None => {
                log::warn!(
                    "NEWSDESK_JWT_SECRET is not set: using a random key; tokens will not survive a restart"
                );
                random = rand::random::<[u8; 32]>();
                &random
            }
        };
        // Only HS256 is accepted, whatever the token's header claims
        // ("none" and RS/ES tokens are refused), and exp and iss must be there.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 5;
        let mut preview_validation = Validation::new(Algorithm::HS256);
        preview_validation.set_issuer(&[ISSUER]);
        preview_validation.set_audience(&[PREVIEW_AUDIENCE]);
        preview_validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
        // A preview expires at the second it says.
        preview_validation.leeway = 0;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            preview_validation,
            ttl_seconds,
        }
    }

    pub fn issue(&self, user_id: i32, role: Role) -> Result<String, String> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            role,
            iat: now,
            exp: now + self.ttl_seconds,
            iss: ISSUER.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|err| format!("cannot sign a token: {err}"))
    }

    /// The user id of a valid token.
    pub fn verify(&self, token: &str) -> Option<i32> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        data.claims.sub.parse().ok()
    }

    /// A preview token for article `article_id` at preview generation
    /// `generation`, valid `ttl_seconds`; with its expiry (seconds since
    /// the epoch).
    pub fn issue_preview(
        &self,
        article_id: i32,
        generation: i32,
        ttl_seconds: u64,
    ) -> Result<(String, u64), String> {
        let now = jsonwebtoken::get_current_timestamp();
        let claims = PreviewClaims {
            sub: format!("article:{article_id}"),
            aud: PREVIEW_AUDIENCE.to_owned(),
            generation,
            iat: now,
            exp: now + ttl_seconds,
            iss: ISSUER.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|err| format!("cannot sign a preview token: {err}"))?;
        Ok((token, claims.exp))
    }

    /// The article id and preview generation of a valid, unexpired
    /// preview token.
    pub fn verify_preview(&self, token: &str) -> Option<(i32, i32)> {
        let data =
            jsonwebtoken::decode::<PreviewClaims>(token, &self.decoding, &self.preview_validation)
                .ok()?;
        let id = data.claims.sub.strip_prefix("article:")?.parse().ok()?;
        Some((id, data.claims.generation))
    }
}
