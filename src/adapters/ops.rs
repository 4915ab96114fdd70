//! The operator's HTTP endpoints (`ksbquiz serve --http ADDR`, off by default):
//!
//! - `GET /healthz`: 200 when the store takes a durable write and every bot answers, else 503;
//!   a JSON body says which part is unwell and when the last daily push pass completed.
//! - `GET /metrics`: Prometheus' text format (see [`crate::metrics`]).
//! - `GET /backup`: a consistent backup file of the store, taken while serving (`ksbquiz
//!   backup --server ADDR` fetches it). Refused unless the request comes from this machine.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use futures::future::BoxFuture;
use serde_json::json;

use crate::engine::Engine;

/// Says whether one bot can reach its platform now.
pub type Probe = Arc<dyn Fn() -> BoxFuture<'static, bool> + Send + Sync>;

/// What the endpoints look at.
#[derive(Clone)]
pub struct Ops {
    pub engine: Arc<Engine>,
    /// One probe per bot running, by name (`telegram`, `discord`).
    pub bots: Vec<(&'static str, Probe)>,
}

/// The endpoints, ready to serve.
pub fn router(ops: Ops) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/backup", get(backup))
        .with_state(ops)
}

/// Serves the endpoints on `addr` until `shutdown` completes.
pub async fn serve(
    addr: SocketAddr,
    ops: Ops,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("--http {addr}: {e}"))?;
    tracing::info!(%addr, "serving /healthz, /metrics and /backup");
    axum::serve(
        listener,
        router(ops).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}

async fn healthz(State(ops): State<Ops>) -> impl IntoResponse {
    let engine = ops.engine.clone();
    let store = tokio::task::spawn_blocking(move || engine.check_writable())
        .await
        .is_ok_and(|r| r.is_ok());
    let mut bots = serde_json::Map::new();
    let mut healthy = store;
    for (name, probe) in &ops.bots {
        let ok = tokio::time::timeout(std::time::Duration::from_secs(3), probe())
            .await
            .unwrap_or(false);
        healthy &= ok;
        bots.insert(name.to_string(), json!(ok));
    }
    let last = crate::metrics::metrics().last_daily_push.get();
    let body = json!({
        "status": if healthy { "ok" } else { "unhealthy" },
        "store_writable": store,
        "bots_connected": bots,
        "last_daily_push": (last > 0).then(|| chrono::DateTime::from_timestamp(last, 0).map(|t| t.to_rfc3339())).flatten(),
    });
    let code = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, axum::Json(body))
}

async fn metrics() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        crate::metrics::metrics().render(),
    )
}

async fn backup(
    State(ops): State<Ops>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> axum::response::Response {
    if !peer.ip().is_loopback() {
        return (
            StatusCode::FORBIDDEN,
            "backups are served to this machine only\n",
        )
            .into_response();
    }
    let engine = ops.engine.clone();
    let taken = tokio::task::spawn_blocking(move || {
        let mut buf = Vec::new();
        engine.backup(&mut buf).map(|_| buf)
    })
    .await;
    match taken {
        Ok(Ok(bytes)) => {
            ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response()
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "backup failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "backup failed; see the server's log\n",
            )
                .into_response()
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "backup failed\n").into_response(),
    }
}
