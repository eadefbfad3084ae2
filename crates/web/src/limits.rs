//! What one client may hold of the server: connections, time, and intake buffer.
//! Every field has a default that keeps a hostile or broken client from taking the
//! server down (issue 19); the CLI may override them.

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::ApiError;

/// Bounds enforced by [`crate::serve_with_limits`].
#[derive(Debug, Clone)]
pub struct ServerLimits {
    /// Open connections at most. When all are taken, a new connection closes the
    /// connection idle the longest (one without a request in flight); when every
    /// connection has a request in flight, it waits `connection_wait` for one to
    /// finish and is closed otherwise.
    pub max_connections: usize,
    /// How long a connection may wait before it has sent a request's complete
    /// headers. hyper starts this clock both on a new connection and when a kept-alive
    /// connection goes idle, so it is also the keep-alive idle timeout.
    pub header_read_timeout: Duration,
    /// How long a request's body may take to arrive, counted from its headers.
    /// A body still arriving then fails, and its connection is closed.
    pub request_body_timeout: Duration,
    /// How long a response write may make no progress (a client that stops
    /// reading) before the connection is closed.
    pub write_timeout: Duration,
    /// How long a new connection waits for a free slot when every connection has a
    /// request in flight.
    pub connection_wait: Duration,
    /// Bytes of `POST /api/v1/signals` bodies held at once (received, parsed, and
    /// being written). A request counts its declared `Content-Length`, or the largest
    /// allowed body when it sends none.
    pub intake_buffer_bytes: usize,
    /// How long an intake request waits for room in that buffer before it is
    /// answered 429 with `Retry-After`.
    pub intake_wait: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            max_connections: 1024,
            header_read_timeout: Duration::from_secs(10),
            // A full 16 MiB batch at 2 Mbit/s takes about 64 s.
            request_body_timeout: Duration::from_secs(90),
            write_timeout: Duration::from_secs(30),
            connection_wait: Duration::from_millis(250),
            // Eight full-size (16 MiB) batches.
            intake_buffer_bytes: 128 * 1024 * 1024,
            intake_wait: Duration::from_secs(1),
        }
    }
}

/// Room for intake bodies, counted in KiB so that a permit count fits in `u32`.
#[derive(Clone)]
pub(crate) struct IntakeGate {
    room: Arc<Semaphore>,
    room_kib: usize,
    wait: Duration,
}

/// Seconds a client turned away by the intake gate is told to wait.
const INTAKE_RETRY_AFTER_SECS: u64 = 1;

impl IntakeGate {
    pub(crate) fn new(limits: &ServerLimits) -> Self {
        let room_kib = (limits.intake_buffer_bytes / 1024).clamp(1, u32::MAX as usize);
        IntakeGate {
            room: Arc::new(Semaphore::new(room_kib)),
            room_kib,
            wait: limits.intake_wait,
        }
    }

    /// Takes room for a body of `bytes`, waiting at most the configured time. A body
    /// larger than the whole buffer takes all of it rather than waiting for ever.
    pub(crate) async fn enter(&self, bytes: usize) -> Result<OwnedSemaphorePermit, ApiError> {
        let kib = bytes.div_ceil(1024).clamp(1, self.room_kib) as u32;
        match tokio::time::timeout(self.wait, self.room.clone().acquire_many_owned(kib)).await {
            Ok(Ok(permit)) => Ok(permit),
            // The semaphore is never closed; a timeout is the only way here.
            _ => Err(ApiError::Busy {
                retry_after_secs: INTAKE_RETRY_AFTER_SECS,
                message:
                    "the server is receiving as many batches as it holds at once; retry shortly"
                        .into(),
            }),
        }
    }
}
