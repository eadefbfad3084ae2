//! API keys: how they look, and how they are stored (only a SHA-256 digest is kept).

use sha2::{Digest, Sha256};

/// Every key starts with this, so a leaked key is recognisable in logs and scanners.
pub const PREFIX: &str = "tl_";
const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Formats 32 random bytes as a key. The caller supplies the randomness, so this stays pure.
pub fn format_key(random: [u8; 32]) -> String {
    let body: String = random
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    format!("{PREFIX}{body}")
}

/// The stored form of a key. Keys carry 190 bits of entropy, so a fast unsalted
/// digest is enough: there is nothing to brute-force.
pub fn digest(key: &str) -> String {
    let hash = Sha256::digest(key.trim().as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}

/// The part of a key that may be shown again (in listings and the audit trail).
pub fn display_prefix(key: &str) -> String {
    key.chars().take(PREFIX.len() + 6).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_the_prefix_and_digest_deterministically() {
        let key = format_key([7; 32]);
        assert!(key.starts_with("tl_"));
        assert_eq!(key.len(), 3 + 32);
        assert_eq!(digest(&key), digest(&format!(" {key} ")));
        assert_ne!(digest(&key), digest(&format_key([8; 32])));
        // SHA-256 of "abc", from FIPS 180-2.
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
