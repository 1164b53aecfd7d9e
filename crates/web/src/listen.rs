//! The accept loop: what a connection may hold before any handler runs.
//!
//! `axum::serve` has no knobs, and without them a thousand clients that send one header
//! byte a minute hold a thousand connections forever. Here every connection has a deadline
//! for its request head (which also ends a keep-alive connection left idle), a body that
//! must keep arriving, and a place among a bounded number of connections — in all and per
//! address, so one address cannot take every place.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt as _;

/// How long and how many: the serving limits, each with a default fit for an office's server.
#[derive(Debug, Clone)]
pub struct ServeLimits {
    /// From the first byte of a request (or the end of the previous one, on a kept-alive
    /// connection) to the end of its head.
    pub header_read: Duration,
    /// The longest wait for the next piece of a request body.
    pub body_idle: Duration,
    /// Open connections in all.
    pub connections: usize,
    /// Open connections from one address (an office behind one NAT is one address).
    pub connections_per_address: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_read: Duration::from_secs(15),
            body_idle: Duration::from_secs(30),
            connections: 2048,
            connections_per_address: 256,
        }
    }
}

/// Open connections per address; an address leaves the map with its last connection, so the
/// map never holds more than the connections themselves.
#[derive(Debug, Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

/// A connection's place in [`PerAddress`], given back when the connection ends.
struct AddressPlace {
    table: Arc<PerAddress>,
    address: IpAddr,
}

impl PerAddress {
    fn take(table: &Arc<PerAddress>, address: IpAddr, limit: usize) -> Option<AddressPlace> {
        let mut map = table.0.lock().unwrap_or_else(|e| e.into_inner());
        let open = map.entry(address).or_default();
        if *open >= limit {
            return None;
        }
        *open += 1;
        Some(AddressPlace { table: table.clone(), address })
    }
}

impl Drop for AddressPlace {
    fn drop(&mut self) {
        let mut map = self.table.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = map.get_mut(&self.address) {
            *open -= 1;
            if *open == 0 {
                map.remove(&self.address);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests finish.
pub(crate) async fn run(
    router: Router,
    listener: TcpListener,
    limits: ServeLimits,
    shutdown: impl std::future::Future<Output = ()>,
) -> std::io::Result<()> {
    let places = Arc::new(Semaphore::new(limits.connections));
    let per_address = Arc::new(PerAddress::default());
    // Every connection holds a receiver; shutdown waits until all are dropped.
    let (stop_tx, stop_rx) = watch::channel(());
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors, or the peer gave up before we took it: pause, go on.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Past a limit the connection is closed at once: holding it would only hold a socket.
        let Ok(place) = places.clone().try_acquire_owned() else {
            tracing::warn!(%remote, "connection refused: too many connections");
            continue;
        };
        let Some(address_place) = PerAddress::take(&per_address, remote.ip(), limits.connections_per_address) else {
            tracing::warn!(%remote, "connection refused: too many connections from this address");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let body_idle = limits.body_idle;
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(remote));
            let request = request.map(|body| Body::new(tower_http::timeout::TimeoutBody::new(body_idle, body)));
            let router = router.clone();
            async move { Ok::<_, Infallible>(router.oneshot(request).await.unwrap_or_else(|never| match never {})) }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read);
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let mut connection = pin!(builder.serve_connection(TokioIo::new(stream), service));
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%remote, %error, "connection ended");
                    }
                }
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop((place, address_place, stop));
        });
    }
    drop(stop_rx);
    let _ = stop_tx.send(());
    stop_tx.closed().await;
    Ok(())
}
