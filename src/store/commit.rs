//! Group commit: one thread turns many writers' "make it durable" requests into one flush.
//!
//! A writer applies its transaction, then calls [`Committer::wait`]. The committer thread
//! takes the first waiting request, drains every other request already queued, calls
//! `Db::flush()` once, and answers them all. A flush that starts after a writer's request
//! covers that writer's write, so every acknowledged answer is on disk.

use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::thread;

use super::StoreError;

type Ack = SyncSender<Result<(), String>>;

pub struct Committer {
    tx: Option<Sender<Ack>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Committer {
    pub fn start(db: sled::Db) -> Self {
        let (tx, rx) = channel::<Ack>();
        let thread = thread::Builder::new()
            .name("ksbquiz-committer".into())
            .spawn(move || run(db, rx))
            .expect("spawning the committer thread");
        Committer {
            tx: Some(tx),
            thread: Some(thread),
        }
    }

    /// Blocks until a flush that began after this call has finished.
    pub fn wait(&self) -> Result<(), StoreError> {
        let (ack_tx, ack_rx) = sync_channel(1);
        self.tx
            .as_ref()
            .ok_or_else(|| StoreError::Durability("the committer has stopped".into()))?
            .send(ack_tx)
            .map_err(|_| StoreError::Durability("the committer has stopped".into()))?;
        ack_rx
            .recv()
            .map_err(|_| StoreError::Durability("the committer has stopped".into()))?
            .map_err(StoreError::Durability)
    }
}

impl Drop for Committer {
    /// Stops the thread and waits for it, so the database is closed (and its file lock
    /// released) when the store is dropped.
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(db: sled::Db, rx: Receiver<Ack>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter());
        let result = db.flush().map(|_| ()).map_err(|e| e.to_string());
        if let Err(e) = &result {
            tracing::error!(error = %e, "flush failed");
        }
        for ack in batch {
            let _ = ack.send(result.clone());
        }
    }
}
