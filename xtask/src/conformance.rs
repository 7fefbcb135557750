//! `cargo xtask conformance`: the connectors' requests against the
//! marketplaces' own published contracts, served by validating mocks:
//! Stoplight Prism for Amazon's SP-API models (Orders 2026-01-01, Orders v0,
//! Listings Items 2021-08-01, FBA Inventory, Messaging v1) and a GraphQL endpoint built from Shopify's
//! published 2026-07 Admin schema. Requests that break a contract are
//! refused by the mock and fail the test; the contracts' example answers
//! must parse.

use crate::util::{cmd, root};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PRISM: &str = "@stoplight/prism-cli@5.14.2";

/// The contract files, vendored with their licences (tests/contracts/PROVENANCE.md).
fn specs() -> PathBuf {
    root().join("tests/contracts")
}

/// Servers started here stop when this is dropped.
struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn wait_for(port: u16, what: &str, child: &mut Child) -> Result<(), String> {
    let until = Instant::now() + Duration::from_secs(90);
    while Instant::now() < until {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("{what} exited ({status}) before listening"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("{what} did not listen on {port} within 90 s"))
}

fn npm_install(dir: &Path, marker: &str, packages: &[&str]) -> Result<(), String> {
    if dir.join(marker).exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let d = dir.to_str().unwrap_or_default();
    let mut args = vec!["install", "--prefix", d, "--no-audit", "--no-fund", "--loglevel=error"];
    args.extend_from_slice(packages);
    cmd("npm", &args).run()
}

pub fn conformance() -> Result<(), String> {
    let specs = specs();
    let shopify_schema = specs.join("shopify/admin_2026-07.introspection.json.gz");
    let models = specs.join("amazon/models");
    if !shopify_schema.exists() || !models.exists() {
        return Err(format!("the marketplace specs are needed at {}", specs.display()));
    }
    let dir = root().join("target/conformance");
    // Prism, pinned to the release that runs on Node 20
    let prism_dir = dir.join("prism");
    npm_install(&prism_dir, "node_modules/.bin/prism", &[PRISM])?;
    // the Shopify schema mock, with the packages its package.json pins
    let shop_dir = dir.join("shopify");
    std::fs::create_dir_all(&shop_dir).map_err(|e| e.to_string())?;
    for f in ["package.json", "shopify-admin-mock.mjs"] {
        std::fs::copy(specs.join("tools").join(f), shop_dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    npm_install(&shop_dir, "node_modules/graphql/package.json", &[])?;

    let mut servers = Servers(vec![]);
    let mut env: Vec<(String, String)> = vec![];
    let prism = prism_dir.join("node_modules/.bin/prism");
    for (var, model) in [
        ("PRISM_ORDERS", "orders_2026-01-01.json"),
        ("PRISM_ORDERS_V0", "ordersV0.json"),
        ("PRISM_LISTINGS", "listingsItems_2021-08-01.json"),
        ("PRISM_FBA", "fbaInventory.json"),
        ("PRISM_MESSAGING", "messaging.json"),
    ] {
        let port = free_port()?;
        let mut child = Command::new(&prism)
            .args([
                "mock",
                models.join(model).to_str().unwrap_or_default(),
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "--errors",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("prism: {e}"))?;
        wait_for(port, model, &mut child)?;
        servers.0.push(child);
        env.push((var.into(), format!("http://127.0.0.1:{port}")));
    }
    let port = free_port()?;
    let mut child = Command::new("node")
        .arg("shopify-admin-mock.mjs")
        .arg(&shopify_schema)
        .arg(port.to_string())
        .current_dir(&shop_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("node: {e}"))?;
    wait_for(port, "the Shopify schema mock", &mut child)?;
    servers.0.push(child);
    env.push(("SHOPIFY_SCHEMA_MOCK".into(), format!("http://127.0.0.1:{port}")));

    let mut c = cmd(
        "cargo",
        &["test", "-p", "mercator-channels", "--test", "tests", "conformance::", "--", "--ignored", "--test-threads=1"],
    );
    for (k, v) in &env {
        c = c.env(k, v);
    }
    let r = c.run();
    drop(servers);
    r
}
