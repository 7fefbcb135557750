//! `cargo xtask <command>`: the project's commands, so that one command runs
//! the app and one runs every test on a fresh machine.
//!
//!   run [-- APP ARGS]     install what is missing, build the UI and the app, launch it
//!   test                  every check: fmt, clippy, Rust tests (with a real keyring),
//!                         UI typecheck + unit tests, end-to-end tests of the real app
//!   e2e                   only the end-to-end tests (builds the app first)
//!   deps                  install system packages, tauri-driver and npm packages
//!   bindings              regenerate ui/src/lib/bindings.ts (Rust types) and commands.ts (commands)
//!   gen-shop --skus N --data-dir DIR   generate a large shop for benchmarks
//!   bench [--runs N] [--skus N]        start-up time and memory, demo and large shop
//!   bench-search [--skus N]            catalog search latency (p50/p99) on a large shop
//!   bench-import [--rows N]            catalog import/export/update/bulk-edit times vs the sqlite3 CLI's .import
//!   bench-pricing                      reprice 100k variants x 10 markets, persist, "why this price" latency
//!   bench-sync [--orders N]            full and incremental order sync from a local SP-API, orders/s, peak memory
//!   crash-test [--channel amazon|shopify|woocommerce|mail|all] [--trials N] [--orders M]
//!                                      kill the syncing process (or the mail work) at random points; the final orders must
//!                                      equal the server's, every reply sent and filed once
//!   conformance                        connector requests against the marketplaces' published specs (Prism, Shopify schema)
//!   bench-ui                           search keystroke-to-screen latency, orders list first screen and filters,
//!                                      memory while browsing (100k SKUs, 100k orders)
//!   modules [--verbose]                no import circle between the modules of any crate
//!   fake-shopee [--orders N] [--access-life S]  serve a fake Shopee shop on loopback (manual tests, e2e)
//!   bench-inbox [--messages N]        ingest N mails from a local Dovecot, search p99, a 200-message thread, LMTP to event
//!   fake-mail                          a real IMAP (Dovecot) and SMTP receiver on loopback, driven over stdin (e2e)

mod bench;
mod bench_inbox;
mod commands_ts;
mod conformance;
mod mail;
mod mail_crash;
mod modules;
mod sync;
mod util;

use std::path::PathBuf;
use util::{cmd, have, root, Cmd};

type R = Result<(), String>;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, rest) = args.split_first().map_or(("help", vec![]), |(a, b)| (a.as_str(), b.to_vec()));
    let result = match name {
        "run" => run(&rest),
        "test" => test_all(&rest),
        "e2e" => deps().and_then(|()| build_app(false)).and_then(|()| e2e()),
        "deps" => deps(),
        "bindings" => bindings(),
        "gen-shop" => gen_shop(&rest),
        "bench" => deps().and_then(|()| bench::bench(&rest)),
        "bench-search" => bench::bench_search(&rest),
        "bench-import" => bench::bench_import(&rest),
        "bench-pricing" => bench::bench_pricing(&rest),
        "conformance" => conformance::conformance(),
        "modules" => modules::check(&rest),
        "bench-sync" => sync::bench_sync(&rest),
        "bench-inbox" => bench_inbox::bench_inbox(&rest),
        "crash-test" => sync::crash_test(&rest),
        "sync-child" => sync::sync_child(&rest),
        "mail-crash-child" => mail_crash::mail_crash_child(&rest),
        "import-child" => bench::import_child(&rest),
        "fake-amazon" => sync::fake_amazon(&rest),
        "fake-shopee" => sync::fake_shopee(&rest),
        "fake-mail" => mail::fake_mail(&rest),
        "fake-deepl" => mail::fake_deepl(&rest),
        "bench-ui" => deps().and_then(|()| bench_ui()),
        _ => {
            eprintln!(
                "{}",
                include_str!("main.rs")
                    .lines()
                    .take_while(|l| l.starts_with("//!"))
                    .map(|l| l.trim_start_matches("//!"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
            Ok(())
        }
    };
    if let Err(e) = result {
        eprintln!("xtask {name}: {e}");
        std::process::exit(1);
    }
}

/// Debian packages the app and its tests need: xtask/debian-packages.txt.
fn debian_packages() -> Vec<&'static str> {
    include_str!("../debian-packages.txt")
        .lines()
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .filter(|l| !l.is_empty())
        .collect()
}

fn deps() -> R {
    if cfg!(target_os = "linux") && have("dpkg") {
        let missing: Vec<&str> =
            debian_packages().into_iter().filter(|p| !cmd("dpkg", &["-s", p]).quiet().ok()).collect();
        if !missing.is_empty() {
            eprintln!("xtask: installing Debian packages: {}", missing.join(" "));
            let sudo = if util::is_root() { vec![] } else { vec!["sudo"] };
            let mut update = sudo.clone();
            update.extend(["apt-get", "update", "-q"]);
            Cmd::new(&update).env("DEBIAN_FRONTEND", "noninteractive").run()?;
            let mut install = sudo;
            install.extend(["apt-get", "install", "-y", "-q", "--no-install-recommends"]);
            install.extend(missing.iter().copied());
            Cmd::new(&install).env("DEBIAN_FRONTEND", "noninteractive").run()?;
        }
    }
    if cfg!(target_os = "linux") && !have("tauri-driver") {
        cmd("cargo", &["install", "tauri-driver", "--locked", "--version", "^2"]).run()?;
    }
    npm_install("ui")?;
    Ok(())
}

fn npm_install(dir: &str) -> R {
    let dir = root().join(dir);
    let stamp = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = match (std::fs::metadata(&stamp), std::fs::metadata(&lock)) {
        (Ok(s), Ok(l)) => s.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if !fresh {
        // `npm install` with the lockfile present (npm ci rejects lockfiles that
        // omit other platforms' optional packages).
        cmd("npm", &["install", "--no-audit", "--no-fund"]).dir(&dir).run()?;
    }
    Ok(())
}

fn build_ui() -> R {
    cmd("npm", &["run", "build"]).dir(root().join("ui")).run()
}

pub fn build_app(release: bool) -> R {
    build_ui()?;
    let mut args = vec!["build", "-p", "mercator"];
    if release {
        args.push("--release");
    }
    cmd("cargo", &args).run()
}

pub fn app_binary(release: bool) -> PathBuf {
    let exe = if cfg!(windows) { "mercator.exe" } else { "mercator" };
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from);
    let target = if target.is_absolute() { target } else { root().join(target) };
    target.join(if release { "release" } else { "debug" }).join(exe)
}

fn run(args: &[String]) -> R {
    deps()?;
    build_app(false)?;
    let app_args: Vec<&str> = args.iter().map(String::as_str).filter(|a| *a != "--").collect();
    let bin = app_binary(false);
    let mut c = cmd(bin.to_str().ok_or("bad path")?, &app_args);
    if cfg!(target_os = "linux")
        && std::env::var_os("DISPLAY").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        eprintln!("xtask: no display found; starting the app under Xvfb");
        let mut v = vec!["xvfb-run", "-a", "--server-args=-screen 0 1280x800x24", bin.to_str().unwrap_or_default()];
        v.extend(app_args);
        c = Cmd::new(&v);
    }
    c.run()
}

fn bindings() -> R {
    commands_ts::write()?;
    cmd("cargo", &["test", "-q", "-p", "mercator-api", "--test", "tests", "typescript_bindings_are_fresh"])
        .env("UPDATE_BINDINGS", "1")
        .run()
}

fn keyring_session(inner: &[&str]) -> Cmd {
    let script = root().join("tests/with-keyring.sh");
    let mut v = vec!["dbus-run-session", "--", "bash", script.to_str().unwrap_or_default()];
    v.extend(inner);
    Cmd::new(&v)
}

fn test_all(args: &[String]) -> R {
    let skip_e2e = args.iter().any(|a| a == "--no-e2e");
    deps()?;
    section("cargo fmt --check");
    cmd("cargo", &["fmt", "--all", "--check"]).run()?;
    section("UI build (the app embeds ui/dist)");
    build_ui()?;
    section("no import circle between the modules of a crate");
    modules::check(&[])?;
    section("ui/src/lib/commands.ts generated from the shell's commands");
    commands_ts::check()?;
    section("cargo deny: licences, banned crates, sources (deny.toml)");
    // installed for the tests only: running the app never waits for it
    if !cmd("cargo", &["deny", "--version"]).quiet().ok() {
        cmd("cargo", &["install", "cargo-deny", "--locked"]).run()?;
    }
    cmd("cargo", &["deny", "--log-level", "error", "check", "licenses", "bans", "sources"]).run()?;
    section("cargo clippy -D warnings");
    cmd("cargo", &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]).run()?;
    section("Rust unit and integration tests");
    cmd("cargo", &["test", "--workspace"]).run()?;
    if cfg!(target_os = "linux") {
        section("vault against a real Secret Service (gnome-keyring in a D-Bus session)");
        keyring_session(&[
            "cargo",
            "test",
            "-p",
            "mercator-vault",
            "--test",
            "tests",
            "real_os_keyring_round_trip",
            "--",
            "--ignored",
            "--nocapture",
        ])
        .run()?;
        section("vault without any credential store: an error, never a fallback");
        cmd(
            "cargo",
            &["test", "-p", "mercator-vault", "--test", "tests", "unavailable_store", "--", "--ignored", "--nocapture"],
        )
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env_remove("DISPLAY")
        .run()?;
    }
    section("connectors against the marketplaces' published specs (validating mocks)");
    conformance::conformance()?;
    section("crash test: the syncing process and the mail work killed at random points, restarted; orders equal the server's, replies sent once");
    sync::crash_test(&["--channel".into(), "all".into(), "--trials".into(), "2".into()])?;
    section("UI typecheck and unit tests");
    cmd("npm", &["run", "check"]).dir(root().join("ui")).run()?;
    cmd("npm", &["test"]).dir(root().join("ui")).run()?;
    if !skip_e2e {
        build_app(false)?;
        e2e()?;
    }
    println!("\nxtask test: all checks passed");
    Ok(())
}

fn e2e() -> R {
    section("end-to-end tests of the real app (tauri-driver + WebKitWebDriver under Xvfb)");
    let app = app_binary(false);
    let shots = root().join("tests/e2e/artifacts");
    keyring_session(&["xvfb-run", "-a", "--server-args=-screen 0 1280x800x24", "npm", "test"])
        .dir(root().join("tests/e2e"))
        .env("MERCATOR_APP", app.to_str().unwrap_or_default())
        .env("MERCATOR_SHOTS", shots.to_str().unwrap_or_default())
        .env("MERCATOR_XTASK", &std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_default())
        .run()
}

fn bench_ui() -> R {
    build_app(true)?;
    let shop = sync::orders_shop(100_000)?;
    cmd("xvfb-run", &["-a", "--server-args=-screen 0 1280x800x24", "node", "bench-ui.mjs"])
        .dir(root().join("tests/e2e"))
        .env("MERCATOR_APP", app_binary(true).to_str().unwrap_or_default())
        .env("MERCATOR_DATA_DIR", shop.to_str().unwrap_or_default())
        .run()
}

fn gen_shop(args: &[String]) -> R {
    let mut skus = 100_000usize;
    let mut dir: Option<PathBuf> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--skus" => {
                skus = it.next().and_then(|v| v.replace('_', "").parse().ok()).ok_or("--skus needs a number")?;
            }
            "--data-dir" => dir = it.next().map(PathBuf::from),
            other => return Err(format!("unknown option {other}")),
        }
    }
    let dir = dir.ok_or("--data-dir DIR is required")?;
    let started = std::time::Instant::now();
    let stats = bench::generate_shop(&dir, skus)?;
    println!(
        "generated {} products / {} variants / {} listings in {} in {:.1?}",
        stats.products,
        stats.variants,
        stats.listings,
        dir.display(),
        started.elapsed()
    );
    Ok(())
}

fn section(title: &str) {
    println!("\n==> {title}");
}
