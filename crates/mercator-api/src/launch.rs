//! Command-line and environment options of the app.

use mercator_core::{ErrorCode, ErrorPayload};
use std::path::PathBuf;

pub const ENV_DATA_DIR: &str = "MERCATOR_DATA_DIR";
pub const ENV_DEMO: &str = "MERCATOR_DEMO";
pub const ENV_LOG_DIR: &str = "MERCATOR_LOG_DIR";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchConfig {
    /// Profile folder; `None` means the OS app-data folder.
    pub data_dir: Option<PathBuf>,
    /// Load the demo shop into an empty profile (default: yes).
    pub demo: bool,
}

fn bool_env(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// Parses `args` (without the program name); flags win over the environment.
/// `--data-dir PATH`, `--data-dir=PATH`, `--demo`, `--no-demo`.
pub fn parse_args(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<LaunchConfig, ErrorPayload> {
    let mut cfg = LaunchConfig { data_dir: env(ENV_DATA_DIR).filter(|s| !s.is_empty()).map(PathBuf::from), demo: true };
    if let Some(v) = env(ENV_DEMO) {
        cfg.demo = bool_env(&v)
            .ok_or_else(|| ErrorPayload::new(ErrorCode::InvalidEnvFlag).arg("name", ENV_DEMO).arg("value", &v))?;
    }
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--demo" => cfg.demo = true,
            "--no-demo" => cfg.demo = false,
            "--data-dir" => {
                let v = it
                    .next()
                    .filter(|v| !v.is_empty() && !v.starts_with("--"))
                    .ok_or_else(|| ErrorPayload::new(ErrorCode::DataDirRequired))?;
                cfg.data_dir = Some(PathBuf::from(v));
            }
            s if s.starts_with("--data-dir=") => {
                let v = &s["--data-dir=".len()..];
                if v.is_empty() {
                    return Err(ErrorPayload::new(ErrorCode::DataDirRequired));
                }
                cfg.data_dir = Some(PathBuf::from(v));
            }
            // Arguments some platforms or tools add (macOS process serial number).
            s if s.starts_with("-psn_") => {}
            other => return Err(ErrorPayload::new(ErrorCode::UnknownFlag).arg("flag", other)),
        }
    }
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<LaunchConfig, ErrorPayload> {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        parse_args(args.iter().map(std::string::ToString::to_string), |k| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn defaults_flags_and_env() {
        assert_eq!(parse(&[], &[]).unwrap(), LaunchConfig { data_dir: None, demo: true });
        let c = parse(&["--data-dir", "/tmp/shop", "--no-demo"], &[]).unwrap();
        assert_eq!(c.data_dir.as_deref(), Some(std::path::Path::new("/tmp/shop")));
        assert!(!c.demo);
        let c = parse(&["--data-dir=/x"], &[(ENV_DATA_DIR, "/env"), (ENV_DEMO, "0")]).unwrap();
        assert_eq!(c.data_dir.as_deref(), Some(std::path::Path::new("/x")));
        assert!(!c.demo);
        let c = parse(&["--demo"], &[(ENV_DATA_DIR, "/env"), (ENV_DEMO, "no")]).unwrap();
        assert_eq!(c.data_dir.as_deref(), Some(std::path::Path::new("/env")));
        assert!(c.demo);
    }

    #[test]
    fn bad_input_names_what_to_fix() {
        assert_eq!(parse(&["--data-dir"], &[]).unwrap_err().code, "data-dir-required");
        assert_eq!(parse(&["--data-dir", "--demo"], &[]).unwrap_err().code, "data-dir-required");
        assert_eq!(parse(&["--data-dir="], &[]).unwrap_err().code, "data-dir-required");
        let e = parse(&["--frobnicate"], &[]).unwrap_err();
        assert_eq!((e.code.as_str(), e.args["flag"].as_str()), ("unknown-flag", "--frobnicate"));
        let e = parse(&[], &[(ENV_DEMO, "maybe")]).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.args["name"].as_str(), e.args["value"].as_str()),
            ("invalid-env-flag", ENV_DEMO, "maybe")
        );
    }
}
