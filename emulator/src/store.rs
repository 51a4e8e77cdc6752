//! The audio ids the emulator issued, so a later turn can cite them until they expire.

use std::collections::HashMap;
use std::sync::Mutex;

/// At most this many ids are remembered; the oldest go first.
const CAPACITY: usize = 10_000;

/// What a cited audio id is to the emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Issued and not expired.
    Valid,
    /// Issued, but its `expires_at` has passed.
    Expired,
    /// Never issued by this emulator (or forgotten).
    Unknown,
}

#[derive(Debug, Default)]
pub(crate) struct AudioStore {
    ids: Mutex<Ids>,
}

#[derive(Debug, Default)]
struct Ids {
    expires_at: HashMap<String, i64>,
    order: std::collections::VecDeque<String>,
}

impl AudioStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, Ids> {
        self.ids.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Remembers an id issued now.
    pub(crate) fn insert(&self, id: String, expires_at: i64) {
        let mut ids = self.lock();
        if ids.order.len() >= CAPACITY {
            if let Some(old) = ids.order.pop_front() {
                ids.expires_at.remove(&old);
            }
        }
        ids.order.push_back(id.clone());
        ids.expires_at.insert(id, expires_at);
    }

    /// Whether `id` can be cited at `now` (unix seconds).
    pub(crate) fn lookup(&self, id: &str, now: i64) -> Lookup {
        match self.lock().expires_at.get(id) {
            Some(&t) if t > now => Lookup::Valid,
            Some(_) => Lookup::Expired,
            None => Lookup::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_expire_and_unknown_ids_are_unknown() {
        let s = AudioStore::default();
        s.insert("audio_a".into(), 100);
        assert_eq!(s.lookup("audio_a", 99), Lookup::Valid);
        assert_eq!(s.lookup("audio_a", 100), Lookup::Expired);
        assert_eq!(s.lookup("audio_b", 0), Lookup::Unknown);
        for i in 0..CAPACITY {
            s.insert(format!("audio_{i}"), 100);
        }
        assert_eq!(s.lookup("audio_a", 0), Lookup::Unknown);
        assert_eq!(s.lookup("audio_1", 0), Lookup::Valid);
    }
}
