//! The accept loop. `axum::serve` has no header-read timeout, no body or write
//! deadline and no connection limit, so 1,100 silent connections stayed open for
//! good (issue 19). Here each connection is served by hyper's HTTP/1 connection
//! with a header-read timer, its request bodies get a deadline, its writes a stall
//! timeout, and the number of open connections is bounded.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use throughline_domain::Chain;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use axum::{Extension, Router};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tokio::time::{Instant, Sleep};
use tower_service::Service;

use crate::limits::{IntakeGate, ServerLimits};
use crate::AppState;

/// Request headers larger than this are answered 431, so a connection's read
/// buffer stays small (hyper's own bound is its ~400 KB buffer).
const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Serves until `shutdown` resolves, then stops accepting and lets in-flight
/// requests finish (an acknowledged batch is never cut off mid-write), within `limits`.
pub async fn serve_with_limits(
    listener: TcpListener,
    state: AppState,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // `with_state(())` turns every route into its final form once, not per request.
    let app = crate::router(state)
        .layer(Extension(IntakeGate::new(&limits)))
        .with_state(());
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_header_size(MAX_HEADER_BYTES);
    let conns = Arc::new(Connections::new(limits.max_connections));
    // Each connection task holds a receiver: `stop` tells them to wind down, and
    // `alive` closes once the last of them has ended.
    let (stop_tx, stop_rx) = watch::channel(false);
    let (alive_tx, alive_rx) = watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);

    loop {
        let accepted = tokio::select! {
            biased;
            () = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                on_accept_error(e, &conns).await;
                continue;
            }
        };
        let Some(slot) = conns.admit(limits.connection_wait).await else {
            tracing::debug!(%peer, "every connection has a request in flight; closing a new one");
            continue;
        };
        let service = ConnService {
            app: app.clone(),
            peer,
            slot: slot.clone(),
            body_timeout: limits.request_body_timeout,
        };
        let io = TokioIo::new(WriteDeadline::new(stream, limits.write_timeout));
        let conn = http.serve_connection(io, service);
        let mut stop = stop_rx.clone();
        let alive = alive_rx.clone();
        let conns = conns.clone();
        tokio::spawn(async move {
            let _slot = SlotGuard { conns, slot };
            let slot = &_slot.slot;
            let mut conn = std::pin::pin!(conn);
            let mut closing = false;
            loop {
                tokio::select! {
                    result = conn.as_mut() => {
                        if let Err(e) = result {
                            tracing::debug!(%peer, error = %Chain(&e), "connection ended with an error");
                        }
                        break;
                    }
                    () = slot.evict.notified(), if !closing => {
                        if slot.unanswered() {
                            break;
                        }
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                    }
                    _ = stop.wait_for(|stop| *stop), if !closing => {
                        if slot.unanswered() {
                            break;
                        }
                        conn.as_mut().graceful_shutdown();
                        closing = true;
                    }
                }
            }
            drop(alive);
        });
    }

    drop(listener);
    let _ = stop_tx.send(true);
    drop(alive_rx);
    alive_tx.closed().await;
    Ok(())
}

/// Aborted handshakes are the client's business. Anything else is most likely
/// the process running out of file descriptors (`ulimit -n` below the connection
/// limit): the limit is lowered to a little under what is open, so that new
/// connections take the place of idle ones instead of failing to be accepted, and
/// the store and the analytics copy keep descriptors to open their files.
async fn on_accept_error(e: io::Error, conns: &Connections) {
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionRefused
    ) {
        return;
    }
    let (max, evicted) = conns.shrink();
    tracing::warn!(
        error = %Chain(&e),
        max_connections = max,
        evicted,
        "cannot accept a connection; fewer connections are kept open from now on"
    );
    // Time for the evicted connections' tasks to close their sockets.
    let pause = if evicted > 0 { 5 } else { 200 };
    tokio::time::sleep(Duration::from_millis(pause)).await;
}

/// The open connections, so that a new one can take the place of the idlest.
struct Connections {
    open: Mutex<Open>,
    /// Woken when a connection ends, for a new one waiting for its place.
    freed: Notify,
    epoch: Instant,
}

struct Open {
    /// Open connections at most; lowered when descriptors run out.
    max: usize,
    next_id: u64,
    slots: HashMap<u64, Arc<Slot>>,
}

/// One connection's state, shared by its task, its requests and the table.
struct Slot {
    id: u64,
    /// Requests whose response has not been fully handed to hyper yet.
    in_flight: AtomicUsize,
    /// A request reached the router: from then on, bytes may be owed to the
    /// client, so the connection is only ever closed gracefully.
    served: AtomicBool,
    /// Milliseconds since `epoch` at accept or at its last response.
    last_active_ms: AtomicU64,
    /// The table's clock origin.
    epoch: Instant,
    evict: Notify,
}

impl Slot {
    /// Nothing was answered and nothing is being: closing now owes the client nothing.
    /// (A half-received request head does not keep hyper's graceful shutdown from
    /// waiting for the rest, so such a connection is dropped instead.)
    fn unanswered(&self) -> bool {
        !self.served.load(Ordering::Acquire) && self.in_flight.load(Ordering::Acquire) == 0
    }
}

impl Connections {
    fn new(max: usize) -> Self {
        Connections {
            open: Mutex::new(Open {
                max: max.max(1),
                next_id: 0,
                slots: HashMap::new(),
            }),
            freed: Notify::new(),
            epoch: Instant::now(),
        }
    }

    fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    /// A place for a new connection: a free one, or the idlest connection's, which is
    /// told to close. When every connection has a request in flight, waits up to
    /// `wait` for one to end.
    async fn admit(&self, wait: Duration) -> Option<Arc<Slot>> {
        let deadline = Instant::now() + wait;
        loop {
            let freed = self.freed.notified();
            let mut freed = std::pin::pin!(freed);
            // Registered before looking, so an end in between is not missed.
            freed.as_mut().enable();
            {
                let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
                if open.slots.len() >= open.max {
                    evict_idlest(&mut open);
                }
                if open.slots.len() < open.max {
                    let id = open.next_id;
                    open.next_id += 1;
                    let slot = Arc::new(Slot {
                        id,
                        in_flight: AtomicUsize::new(0),
                        served: AtomicBool::new(false),
                        last_active_ms: AtomicU64::new(self.now_ms()),
                        epoch: self.epoch,
                        evict: Notify::new(),
                    });
                    open.slots.insert(id, slot.clone());
                    return Some(slot);
                }
            }
            if tokio::time::timeout_at(deadline, freed).await.is_err() {
                return None;
            }
        }
    }

    /// Lowers the limit to 15/16 of the connections open (16 at least), and closes
    /// idle connections until a new one fits. Returns the new limit and how many
    /// were told to close.
    fn shrink(&self) -> (usize, usize) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let n = open.slots.len();
        open.max = open.max.min((n - n / 16).max(16));
        let mut evicted = 0;
        while open.slots.len() >= open.max && evict_idlest(&mut open) {
            evicted += 1;
        }
        (open.max, evicted)
    }

    fn release(&self, id: u64) {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        open.slots.remove(&id);
        drop(open);
        self.freed.notify_waiters();
    }
}

/// Tells the connection without a request in flight that was active least recently
/// to close, and forgets it; false if every connection has a request in flight.
/// A linear scan: it runs only when the table is full, over at most `max` entries.
fn evict_idlest(open: &mut Open) -> bool {
    let victim = open
        .slots
        .values()
        .filter(|s| s.in_flight.load(Ordering::Acquire) == 0)
        .min_by_key(|s| (s.last_active_ms.load(Ordering::Relaxed), s.id))
        .map(|s| s.id);
    match victim.and_then(|id| open.slots.remove(&id)) {
        Some(slot) => {
            slot.evict.notify_one();
            true
        }
        None => false,
    }
}

/// Gives the connection's place back when its task ends, however it ends.
struct SlotGuard {
    conns: Arc<Connections>,
    slot: Arc<Slot>,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        self.conns.release(self.slot.id);
    }
}

/// Marks a request in flight until its response body has been handed over.
struct InFlight(Arc<Slot>);

impl InFlight {
    fn begin(slot: &Arc<Slot>) -> Self {
        slot.served.store(true, Ordering::Release);
        slot.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(slot.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let now = self.0.epoch.elapsed().as_millis() as u64;
        self.0.last_active_ms.store(now, Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The router as one connection's hyper service: adds the peer address (the
/// dashboard answers loopback only), a deadline on the request body, and in-flight
/// tracking.
#[derive(Clone)]
struct ConnService {
    app: Router,
    peer: SocketAddr,
    slot: Arc<Slot>,
    body_timeout: Duration,
}

type ServiceFuture =
    Pin<Box<dyn Future<Output = Result<Response<TrackedBody>, Infallible>> + Send>>;

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<TrackedBody>;
    type Error = Infallible;
    type Future = ServiceFuture;

    fn call(&self, req: Request<Incoming>) -> Self::Future {
        let in_flight = InFlight::begin(&self.slot);
        let deadline = Instant::now() + self.body_timeout;
        let mut req = req.map(|body| Body::new(DeadlineBody::new(body, deadline)));
        req.extensions_mut().insert(ConnectInfo(self.peer));
        // A `Router` is always ready, so `call` needs no `poll_ready` first.
        let response = self.app.clone().call(req);
        Box::pin(async move {
            let response = response.await?;
            Ok(response.map(|body| TrackedBody {
                inner: body,
                in_flight: Some(in_flight),
            }))
        })
    }
}

/// A response body that ends its request's in-flight mark when it is done.
struct TrackedBody {
    inner: Body,
    in_flight: Option<InFlight>,
}

impl HttpBody for TrackedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None | Some(Err(_)))) {
            self.in_flight = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The request body took longer than the server's request body timeout.
#[derive(Debug)]
pub(crate) struct BodyTimeout;

impl std::fmt::Display for BodyTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl std::error::Error for BodyTimeout {}

/// A request body that fails once its deadline has passed, so a body trickling in
/// a byte at a time cannot hold a handler (and its intake room) for ever. hyper then
/// closes the connection, since the body was not read to its end.
struct DeadlineBody {
    inner: Incoming,
    deadline: Instant,
    /// Made on the first wait only: most bodies arrive whole with their headers.
    sleep: Option<Pin<Box<Sleep>>>,
    expired: bool,
}

impl DeadlineBody {
    fn new(inner: Incoming, deadline: Instant) -> Self {
        DeadlineBody {
            inner,
            deadline,
            sleep: None,
            expired: false,
        }
    }
}

impl HttpBody for DeadlineBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        if self.expired {
            return Poll::Ready(None);
        }
        if let Poll::Ready(frame) = Pin::new(&mut self.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        let deadline = self.deadline;
        let sleep = self
            .sleep
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => {
                self.expired = true;
                Poll::Ready(Some(Err(Box::new(BodyTimeout))))
            }
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.expired || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A socket whose writes fail once they have made no progress for `timeout`: a
/// client that stops reading a response would otherwise hold its connection for
/// ever. Reads are left alone; hyper's header-read timer and the body deadline
/// bound them.
struct WriteDeadline<T> {
    io: T,
    timeout: Duration,
    /// Armed when a write first finds the socket full; disarmed by any progress.
    stalled: Option<Pin<Box<Sleep>>>,
    armed: bool,
}

impl<T> WriteDeadline<T> {
    fn new(io: T, timeout: Duration) -> Self {
        WriteDeadline {
            io,
            timeout,
            stalled: None,
            armed: false,
        }
    }

    fn progress<R>(
        &mut self,
        polled: Poll<io::Result<R>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<R>> {
        if polled.is_ready() {
            self.armed = false;
            return polled;
        }
        let at = Instant::now() + self.timeout;
        let sleep = self
            .stalled
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(at)));
        if !self.armed {
            sleep.as_mut().reset(at);
            self.armed = true;
        }
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client read nothing of the response for too long",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for WriteDeadline<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write(cx, buf);
        self.progress(polled, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.io).poll_write_vectored(cx, bufs);
        self.progress(polled, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.io).poll_flush(cx);
        self.progress(polled, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let polled = Pin::new(&mut self.io).poll_shutdown(cx);
        self.progress(polled, cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    fn open_ids(conns: &Connections) -> Vec<u64> {
        let open = conns.open.lock().unwrap();
        let mut ids: Vec<u64> = open.slots.keys().copied().collect();
        ids.sort();
        ids
    }

    #[tokio::test]
    async fn a_new_connection_takes_the_place_of_the_idlest_one() {
        let conns = Connections::new(3);
        let wait = Duration::from_millis(10);
        let a = conns.admit(wait).await.unwrap();
        let b = conns.admit(wait).await.unwrap();
        let c = conns.admit(wait).await.unwrap();
        // `a` is busy, `b` answered a request after `c` was opened: `c` goes first.
        let busy = InFlight::begin(&a);
        drop(InFlight::begin(&b));
        b.last_active_ms.store(u64::MAX / 2, Ordering::Relaxed);
        let d = conns.admit(wait).await.unwrap();
        assert_eq!(open_ids(&conns), vec![a.id, b.id, d.id]);
        // Told to close, and dropped at once since nothing was asked on it.
        tokio::time::timeout(wait, c.evict.notified())
            .await
            .unwrap();
        assert!(c.unanswered() && !b.unanswered());
        // With every connection busy, a new one waits, then is turned away.
        let _busy = (InFlight::begin(&b), InFlight::begin(&d));
        assert!(conns.admit(wait).await.is_none());
        // A connection that ends makes room for one waiting.
        let (admitted, ()) = tokio::join!(conns.admit(Duration::from_secs(5)), async {
            tokio::time::sleep(wait).await;
            conns.release(d.id);
        });
        assert!(admitted.is_some());
        drop(busy);
    }

    #[tokio::test]
    async fn running_out_of_descriptors_lowers_the_limit() {
        let conns = Connections::new(1024);
        for _ in 0..100 {
            conns.admit(Duration::ZERO).await.unwrap();
        }
        // 15/16 of the 100 open, and room made for the one that could not be accepted.
        assert_eq!(conns.shrink(), (94, 7));
        assert_eq!(open_ids(&conns), (7..100).collect::<Vec<u64>>());
    }

    #[tokio::test]
    async fn a_write_nobody_reads_fails_after_the_timeout() {
        // 64 bytes of room and a reader that never reads.
        let (near, _far) = tokio::io::duplex(64);
        let mut io = WriteDeadline::new(near, Duration::from_millis(100));
        let started = std::time::Instant::now();
        let err = io.write_all(&[0u8; 1024]).await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(100));
    }

    #[tokio::test]
    async fn a_slow_but_steady_reader_is_not_cut_off() {
        let (near, mut far) = tokio::io::duplex(64);
        let mut io = WriteDeadline::new(near, Duration::from_millis(200));
        let reader = tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut buf = [0u8; 64];
            let mut total = 0;
            while total < 1024 {
                tokio::time::sleep(Duration::from_millis(20)).await;
                total += far.read(&mut buf).await.unwrap();
            }
            total
        });
        // 16 reads of 64 bytes, 20 ms apart: 320 ms in all, never 200 ms stalled.
        io.write_all(&[0u8; 1024]).await.unwrap();
        assert_eq!(reader.await.unwrap(), 1024);
    }
}
