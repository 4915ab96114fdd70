//! The keys records are stored under: the kind bytes of the `ldata` tree, the learner prefix
//! every key of a learner starts with, delivery ids and the sequence numbers inside them, and
//! cohort membership keys.

use super::LearnerId;

/// Kind bytes in the `ldata` tree.
pub(super) const K_ATTEMPT: u8 = b'a';
pub(super) const K_SRS: u8 = b's';
pub(super) const K_DELIVERY: u8 = b'd';
pub(super) const K_SESSION: u8 = b'q';
pub(super) const K_PICK: u8 = b'p';

pub(super) fn lkind(id: LearnerId, kind: u8, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(9 + rest.len());
    k.extend_from_slice(&id.to_be_bytes());
    k.push(kind);
    k.extend_from_slice(rest);
    k
}

/// The learner a key belongs to (its first 8 bytes).
pub(super) fn learner_of(key: &[u8]) -> LearnerId {
    key.get(..8)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map_or(0, u64::from_be_bytes)
}

/// The `ldata` key of a delivery id `{learner:016x}-{seq:016x}`.
pub(super) fn delivery_key(id: &str) -> Option<Vec<u8>> {
    let (l, seq) = id.split_once('-')?;
    let l = u64::from_str_radix(l, 16).ok()?;
    let seq = u64::from_str_radix(seq, 16).ok()?;
    Some(lkind(l, K_DELIVERY, &seq.to_be_bytes()))
}

/// The key of the attempt that answers the delivery at `dkey` (same learner and sequence).
pub(super) fn attempt_key_of(dkey: &[u8]) -> Vec<u8> {
    let mut k = dkey.to_vec();
    if let Some(kind) = k.get_mut(8) {
        *kind = K_ATTEMPT;
    }
    k
}

pub(super) fn lkey(id: LearnerId) -> [u8; 8] {
    id.to_be_bytes()
}

pub(super) fn lkey_with(id: LearnerId, rest: &[u8]) -> Vec<u8> {
    let mut k = Vec::with_capacity(8 + rest.len());
    k.extend_from_slice(&id.to_be_bytes());
    k.extend_from_slice(rest);
    k
}

/// Delivery ids start with the learner's id in hex, so one learner's deliveries share a prefix.
pub(super) fn delivery_prefix(id: LearnerId) -> String {
    let mut prefix = delivery_id(id, 0);
    prefix.truncate(17);
    prefix
}

/// A delivery's id, `{learner:016x}-{seq:016x}` (written out by hand: `format!` took a tenth
/// of an answer's own work).
pub(super) fn delivery_id(learner: LearnerId, seq: u64) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(33);
    for (n, part) in [learner, seq].into_iter().enumerate() {
        if n == 1 {
            id.push('-');
        }
        for shift in (0..16).rev() {
            id.push(char::from(HEX[((part >> (4 * shift)) & 0xf) as usize]));
        }
    }
    id
}

/// Sequence numbers are handed out in blocks of 2^16 (sled's id generator gives the block):
/// a session's questions take its block's numbers in order, so its `n`-th question's
/// delivery is known without writing it down. Blocks stay below 2^63 (keyed ids have the top
/// bit) for the first 2^47 ids, and come after every number schema 3 handed out one by one.
pub(super) const SESSION_BITS: u32 = 16;

/// The sequence number of question `n` of the session numbered from block `seq`.
pub(super) fn session_seq(seq: u64, n: usize) -> u64 {
    (seq << SESSION_BITS) + n as u64
}

pub(super) fn member_key(code: &str, id: LearnerId) -> Vec<u8> {
    let mut k = code.as_bytes().to_vec();
    k.push(0);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The `meta` key of the fitted weights of `scope` (`install`, `cohort:<CODE>`).
pub(super) fn weights_key(scope: &str) -> Vec<u8> {
    format!("weights:{scope}").into_bytes()
}
