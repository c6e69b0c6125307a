//! `testserver`: a Phoenix-protocol test and demo server for phoenix-wasm.
//!
//! It speaks Phoenix Channels the way a real Phoenix 1.7/1.8 endpoint does (spec
//! §6, §7.4, §16) over WebSocket and LongPoll, with the `room:*`/`lobby:*` channels
//! the tests and the demo use, fault injection under `/control`, and static files
//! for the demo. It is NOT a production server. See README.md.

mod app;
mod auth;
mod cli;
mod codec;
mod control;
mod hub;
mod ids;
mod longpoll;
mod presence;
mod room;
mod socket;
mod statics;
mod ws;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Set by `--verbose`.
pub static VERBOSE: AtomicBool = AtomicBool::new(false);

/// Per-frame logging to stderr, only with `--verbose`.
#[macro_export]
macro_rules! vlog {
    ($($arg:tt)*) => {
        if $crate::VERBOSE.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!("testserver: {}", format!($($arg)*));
        }
    };
}

fn main() {
    let config = match cli::parse(std::env::args().skip(1)) {
        Ok(Some(c)) => c,
        Ok(None) => {
            print!("{}", cli::USAGE);
            return;
        }
        Err(e) => {
            eprintln!("testserver: {e}\n\n{}", cli::USAGE);
            std::process::exit(2);
        }
    };
    VERBOSE.store(config.verbose, Ordering::Relaxed);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("testserver: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = runtime.block_on(serve(config)) {
        eprintln!("testserver: {e}");
        std::process::exit(1);
    }
    // Connection tasks still running (open WebSockets, held polls) are dropped here.
    runtime.shutdown_background();
}

async fn serve(config: app::Config) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind((config.host.as_str(), config.port)).await?;
    let port = listener.local_addr()?.port();
    let app = app::App {
        hub: Arc::new(hub::Hub::default()),
        config: Arc::new(config),
    };
    tokio::spawn(longpoll::reap_expired(
        app.hub.clone(),
        app.config.longpoll_window,
    ));

    let host = &app.config.host;
    let base = format!("http://{host}:{port}");
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "testserver ready {base} ws=ws://{host}:{port}/socket/websocket longpoll={base}/socket/longpoll control={base}/control"
    )?;
    out.flush()?;
    drop(out);

    let hub = app.hub.clone();
    let service = app::router(app).into_make_service_with_connect_info::<SocketAddr>();
    tokio::select! {
        r = axum::serve(listener, service) => r,
        _ = shutdown_signal() => {
            // Tell WebSocket clients we are going away rather than leaving them to time out.
            hub.lock().drop_all();
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let term = async {
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}
