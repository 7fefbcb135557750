use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

pub fn have(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()))
}

pub fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"))
}

pub struct Cmd {
    inner: Command,
    shown: String,
    quiet: bool,
}

pub fn cmd(program: &str, args: &[&str]) -> Cmd {
    let mut v = vec![program];
    v.extend(args);
    Cmd::new(&v)
}

impl Cmd {
    pub fn new(argv: &[&str]) -> Self {
        let mut inner = Command::new(argv[0]);
        inner.args(&argv[1..]);
        inner.current_dir(root());
        Cmd { inner, shown: argv.join(" "), quiet: false }
    }

    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.inner.current_dir(dir);
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.inner.env(k, v);
        self
    }

    pub fn env_remove(mut self, k: &str) -> Self {
        self.inner.env_remove(k);
        self
    }

    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self.inner.stdout(Stdio::null()).stderr(Stdio::null());
        self
    }

    pub fn ok(mut self) -> bool {
        self.inner.status().is_ok_and(|s| s.success())
    }

    pub fn run(mut self) -> Result<(), String> {
        if !self.quiet {
            eprintln!("$ {}", self.shown);
        }
        let status = self.inner.status().map_err(|e| format!("cannot start `{}`: {e}", self.shown))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.shown))
        }
    }
}

/// Parses `--name N` options (N may contain `_`), each with a default; any
/// other argument is an error. Returns the values in the order given.
pub fn count_options<const K: usize>(args: &[String], options: [(&str, usize); K]) -> Result<[usize; K], String> {
    let mut values = options.map(|(_, default)| default);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let i = options.iter().position(|(name, _)| name == a).ok_or_else(|| format!("unknown option {a}"))?;
        values[i] = it
            .next()
            .and_then(|v| v.replace('_', "").parse().ok())
            .ok_or_else(|| format!("{} needs a number", options[i].0))?;
    }
    Ok(values)
}

/// The process's peak resident memory (since the last reset), in bytes.
pub fn peak_rss_bytes() -> u64 {
    proc_status_kib("VmHWM:") * 1024
}

pub fn proc_status_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(key)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}
