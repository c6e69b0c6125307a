//! Command-line parsing (hand-written: five options do not justify a parser crate).

use crate::app::Config;
use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
testserver — Phoenix-protocol test and demo server for phoenix-wasm (not for production)

USAGE:
    testserver [OPTIONS]

OPTIONS:
    --host HOST                 address to bind [default: 127.0.0.1]
    --port PORT                 port to bind, 0 picks a free one [default: 4000]
    --static DIR                serve DIR at / (index.html for directories)
    --pkg DIR                   serve DIR at /pkg/
    --idle-timeout-ms MS        close a WebSocket silent for MS [default: 60000]
    --longpoll-window-ms MS     hold a LongPoll GET for at most MS [default: 10000]
    --verbose                   log every frame to stderr
    -h, --help                  print this help
";

fn millis(flag: &str, v: &str) -> Result<Duration, String> {
    match v.parse::<u64>() {
        Ok(ms) if ms > 0 => Ok(Duration::from_millis(ms)),
        _ => Err(format!(
            "{flag} expects a positive number of milliseconds, got {v:?}"
        )),
    }
}

/// Parses the arguments after the program name. `Ok(None)` means `--help`.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Config>, String> {
    let mut config = Config {
        host: "127.0.0.1".into(),
        port: 4000,
        static_dir: None,
        pkg_dir: None,
        idle_timeout: Duration::from_millis(60_000),
        longpoll_window: Duration::from_millis(10_000),
        verbose: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        // Both `--flag value` and `--flag=value`.
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if matches!(flag.as_str(), "-h" | "--help") {
            return Ok(None);
        }
        if flag == "--verbose" {
            config.verbose = true;
            continue;
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--host" => config.host = value()?,
            "--port" => {
                let v = value()?;
                config.port = v
                    .parse()
                    .map_err(|_| format!("--port expects 0-65535, got {v:?}"))?;
            }
            "--static" => config.static_dir = Some(PathBuf::from(value()?)),
            "--pkg" => config.pkg_dir = Some(PathBuf::from(value()?)),
            "--idle-timeout-ms" => config.idle_timeout = millis(&flag, &value()?)?,
            "--longpoll-window-ms" => config.longpoll_window = millis(&flag, &value()?)?,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok(Some(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn defaults_and_flags() {
        let c = parse(args("")).unwrap().unwrap();
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 4000));
        assert_eq!(c.longpoll_window, Duration::from_secs(10));
        let c = parse(args(
            "--port 0 --static www/dist --pkg=pkg --idle-timeout-ms 500 --verbose",
        ))
        .unwrap()
        .unwrap();
        assert_eq!(c.port, 0);
        assert_eq!(c.static_dir, Some(PathBuf::from("www/dist")));
        assert_eq!(c.pkg_dir, Some(PathBuf::from("pkg")));
        assert_eq!(c.idle_timeout, Duration::from_millis(500));
        assert!(c.verbose);
        assert!(parse(args("--help")).unwrap().is_none());
        assert!(parse(args("--port")).is_err());
        assert!(parse(args("--port x")).is_err());
        assert!(parse(args("--longpoll-window-ms 0")).is_err());
        assert!(parse(args("--bogus")).is_err());
    }
}
