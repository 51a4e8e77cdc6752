//! The emulator's ids: well-mixed numbers from a seed and a counter (splitmix64), and ids made
//! of letters and digits from them, so a seeded emulator repeats its ids.

/// The `n`th well-mixed 64-bit number from `seed` (splitmix64).
pub(crate) fn splitmix(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `prefix` and `len` letters and digits drawn from `next` (ten a number).
pub(crate) fn token(prefix: &str, len: usize, mut next: impl FnMut() -> u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut id = String::from(prefix);
    let mut r = 0;
    for i in 0..len {
        if i % 10 == 0 {
            r = next();
        }
        let c = ALPHABET.get((r % 62) as usize).copied().unwrap_or(b'A');
        id.push(char::from(c));
        r /= 62;
    }
    id
}
