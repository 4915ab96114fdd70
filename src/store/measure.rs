//! Helpers for the benchmarks: what an answer writes, and how fast bare sled writes are made
//! durable on this machine.

use std::path::Path;
use std::sync::Arc;

use super::keys::lkey_with;
use super::{Attempt, Result, SrsState, StoreError, codec, commit};

/// Bytes an answer that makes `attempt` and `srs` writes to sled (the values; the benchmark's
/// raw ceiling writes as much).
pub fn answer_bytes(attempt: &Attempt, srs: &SrsState) -> usize {
    codec::encode_attempt(attempt).len() + codec::encode_srs(srs).len()
}

/// The ceiling for durable writes on this machine: `threads` writers each inserting
/// `ops` values of `value_len` bytes into a bare sled tree and waiting for the same group
/// commit the store uses. Returns (writes per second, per-write latencies).
pub fn raw_durable_inserts(
    dir: &Path,
    threads: usize,
    ops: usize,
    value_len: usize,
) -> Result<(f64, Vec<std::time::Duration>)> {
    let db = sled::Config::new()
        .path(dir)
        .mode(sled::Mode::HighThroughput)
        .open()?;
    let tree = db.open_tree("raw")?;
    let committer = Arc::new(commit::Committer::start(db.clone()));
    let value = vec![b'x'; value_len];
    let started = std::time::Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (tree, committer, value) = (tree.clone(), committer.clone(), value.clone());
            std::thread::spawn(move || -> Result<Vec<std::time::Duration>> {
                let mut lat = Vec::with_capacity(ops);
                for i in 0..ops {
                    let t0 = std::time::Instant::now();
                    tree.insert(
                        lkey_with(t as u64, &(i as u64).to_be_bytes()),
                        value.as_slice(),
                    )?;
                    committer.wait()?;
                    lat.push(t0.elapsed());
                }
                Ok(lat)
            })
        })
        .collect();
    let mut all = Vec::with_capacity(threads * ops);
    for h in handles {
        all.extend(
            h.join()
                .map_err(|_| StoreError::Durability("writer thread panicked".into()))??,
        );
    }
    let rate = all.len() as f64 / started.elapsed().as_secs_f64();
    Ok((rate, all))
}
