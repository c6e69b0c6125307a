//! The shared application handle and the route table.

use crate::hub::Hub;
use crate::{control, longpoll, statics, ws};
use axum::routing::get;
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Settings from the command line (see cli.rs).
#[derive(Clone, Debug)]
pub struct Config {
    pub host: String,
    pub port: u16,
    pub static_dir: Option<PathBuf>,
    pub pkg_dir: Option<PathBuf>,
    pub idle_timeout: Duration,
    pub longpoll_window: Duration,
    pub verbose: bool,
}

/// Cloned into every handler.
#[derive(Clone)]
pub struct App {
    pub hub: Arc<Hub>,
    pub config: Arc<Config>,
}

pub fn router(app: App) -> Router {
    Router::new()
        .route("/socket/websocket", get(ws::upgrade))
        .route(
            "/socket/longpoll",
            get(longpoll::get)
                .post(longpoll::post)
                .options(longpoll::options),
        )
        .nest("/control", control::routes())
        .route("/pkg/{*path}", get(statics::pkg))
        .fallback(get(statics::site))
        .with_state(app)
}

/// A JSON response (axum's `Json` needs a feature that brings in more crates).
pub fn json(status: axum::http::StatusCode, value: &serde_json::Value) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}
