//! A real mail server for tests and benchmarks: Debian's Dovecot (IMAP with
//! IDLE, mail delivered over LMTP) and an SMTP receiver on aiosmtpd that
//! keeps every message it accepts, both in a temporary folder on loopback
//! ports, started here and stopped when the value drops.
//!
//! Faults: the SMTP receiver refuses with a chosen reply
//! ([`MailServer::smtp_refuse`]), or stalls; Dovecot can be stopped and
//! started again ([`MailServer::stop_imap`], [`MailServer::start_imap`]).

use std::io;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The mailbox user Dovecot knows, and its password.
pub const USER: &str = "seller@shop.test";
pub const PASSWORD: &str = "s3cret-for-tests";

const SMTP_SCRIPT: &str = r#"
import sys, os, asyncio, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
port, folder, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
cert = sys.argv[5] if len(sys.argv) > 6 else None
key = sys.argv[6] if len(sys.argv) > 6 else None
class Handler:
    async def handle_DATA(self, server, session, envelope):
        refuse = os.path.join(folder, "refuse")
        stall = os.path.join(folder, "stall")
        if os.path.exists(stall):
            await asyncio.sleep(float(open(stall).read() or "60"))
        if os.path.exists(refuse):
            return open(refuse).read().strip()
        n = len([f for f in os.listdir(folder) if f.endswith(".eml")])
        tmp = os.path.join(folder, "%06d.tmp" % n)
        with open(tmp, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(tmp, os.path.join(folder, "%06d.eml" % n))
        return "250 OK queued"
def auth(server, session, envelope, mechanism, data):
    ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
    return AuthResult(success=ok, handled=False)
if cert:
    # submission as on port 587: STARTTLS first, then the login
    import ssl
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    c = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=auth, auth_required=True,
                   auth_require_tls=True, require_starttls=True, tls_context=ctx)
else:
    c = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=auth, auth_require_tls=False)
c.start()
open(os.path.join(folder, "ready"), "w").close()
while True:
    time.sleep(3600)
"#;

fn free_port() -> io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A running Dovecot and SMTP receiver.
pub struct MailServer {
    dir: PathBuf,
    _temp: TempDir,
    pub imap_port: u16,
    /// IMAP over TLS from the first byte (as on port 993); 0 without TLS.
    pub imaps_port: u16,
    pub lmtp_port: u16,
    pub smtp_port: u16,
    /// The self-signed certificate (PEM) of a server started with TLS, for
    /// a client to trust (e.g. through `SSL_CERT_FILE`).
    pub cert: Option<PathBuf>,
    dovecot: Option<Child>,
    smtp: Child,
}

/// A folder removed on drop (no tempfile dependency in the kit).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn wait_port(port: u16, what: &str) -> io::Result<()> {
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Err(io::Error::other(format!("{what} did not open port {port}")))
}

impl MailServer {
    /// Starts both servers (Debian packages dovecot-imapd, dovecot-lmtpd and
    /// python3-aiosmtpd, installed by `cargo xtask deps`).
    pub fn start() -> io::Result<MailServer> {
        Self::start_with(false)
    }

    /// Both servers as a real provider runs them: IMAP over TLS (and
    /// STARTTLS) with plaintext logins refused, SMTP submission that
    /// requires STARTTLS and a login; a certificate for `localhost` made
    /// here, self-signed ([`MailServer::cert`]).
    pub fn start_tls() -> io::Result<MailServer> {
        Self::start_with(true)
    }

    fn start_with(tls: bool) -> io::Result<MailServer> {
        if !Path::new("/usr/sbin/dovecot").exists() {
            return Err(io::Error::other("dovecot is not installed: run `cargo xtask deps`"));
        }
        let dir =
            std::env::temp_dir().join(format!("mercator-mail-{}-{}", std::process::id(), mercator_core::new_id()));
        std::fs::create_dir_all(dir.join("mail"))?;
        std::fs::create_dir_all(dir.join("smtp"))?;
        let (imap_port, lmtp_port, smtp_port) = (free_port()?, free_port()?, free_port()?);
        let imaps_port = if tls { free_port()? } else { 0 };
        let cert = if tls {
            let out = Command::new("openssl")
                .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"])
                .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout"])
                .arg(dir.join("key.pem"))
                .arg("-out")
                .arg(dir.join("cert.pem"))
                .output()?;
            if !out.status.success() {
                return Err(io::Error::other(format!("openssl: {}", String::from_utf8_lossy(&out.stderr))));
            }
            Some(dir.join("cert.pem"))
        } else {
            None
        };
        let d = dir.display();
        let ssl = if tls {
            format!("ssl = yes\nssl_cert = <{d}/cert.pem\nssl_key = <{d}/key.pem\ndisable_plaintext_auth = yes\n")
        } else {
            "ssl = no\ndisable_plaintext_auth = no\n".to_string()
        };
        let imaps = if tls {
            format!("address = 127.0.0.1\n    port = {imaps_port}\n    ssl = yes")
        } else {
            "port = 0".into()
        };
        let conf = format!(
            "protocols = imap lmtp\nlisten = 127.0.0.1\nbase_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\n\
             {ssl}maildir_very_dirty_syncs = yes\nauth_mechanisms = plain login\nmail_location = maildir:{d}/mail/%u\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/users\n}}\n\
             userdb {{\n  driver = static\n  args = uid=nobody gid=nogroup home={d}/mail/%u\n}}\n\
             namespace inbox {{\n  inbox = yes\n  mailbox Sent {{\n    auto = create\n    special_use = \\Sent\n  }}\n}}\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {imap_port}\n  }}\n  \
             inet_listener imaps {{\n    {imaps}\n  }}\n}}\n\
             service lmtp {{\n  inet_listener lmtp {{\n    address = 127.0.0.1\n    port = {lmtp_port}\n  }}\n  \
             unix_listener lmtp {{\n    mode = 0600\n  }}\n}}\n\
             protocol lmtp {{\n  postmaster_address = postmaster@shop.test\n}}\n"
        );
        std::fs::write(dir.join("dovecot.conf"), conf)?;
        std::fs::write(dir.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}\n"))?;
        // Dovecot delivers as nobody
        let _ = Command::new("chown").args(["-R", "nobody:nogroup"]).arg(dir.join("mail")).status();
        let mut smtp = Command::new("/usr/bin/python3");
        smtp.args(["-c", SMTP_SCRIPT, &smtp_port.to_string()]).arg(dir.join("smtp")).args([USER, PASSWORD]);
        if tls {
            smtp.arg(dir.join("cert.pem")).arg(dir.join("key.pem"));
        }
        let smtp = smtp.stdout(Stdio::null()).stderr(Stdio::null()).spawn()?;
        let mut server = MailServer {
            _temp: TempDir(dir.clone()),
            dir,
            imap_port,
            imaps_port,
            lmtp_port,
            smtp_port,
            cert,
            dovecot: None,
            smtp,
        };
        server.start_imap()?;
        wait_port(smtp_port, "aiosmtpd")?;
        Ok(server)
    }

    /// Starts Dovecot (again).
    pub fn start_imap(&mut self) -> io::Result<()> {
        if self.dovecot.is_some() {
            return Ok(());
        }
        use std::os::unix::process::CommandExt;
        // its own process group: stopping it ends every process it started,
        // open connections included
        let child = Command::new("/usr/sbin/dovecot")
            .process_group(0)
            .arg("-F")
            .arg("-c")
            .arg(self.dir.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.dovecot = Some(child);
        wait_port(self.imap_port, "dovecot imap")?;
        wait_port(self.lmtp_port, "dovecot lmtp")
    }

    /// Stops Dovecot at once: connections drop mid-command.
    pub fn stop_imap(&mut self) {
        if let Some(mut c) = self.dovecot.take() {
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--"])
                .arg(format!("-{}", c.id()))
                .stderr(Stdio::null())
                .status();
            let _ = c.kill();
            let _ = c.wait();
        }
        // the master's children leave with it; wait until the port is free
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", self.imap_port)).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Gives the INBOX a new UIDVALIDITY, as a server does when a folder is
    /// recreated or restored from a backup: a client's stored UIDs mean
    /// nothing any more and it must read the folder again.
    pub fn renumber_inbox(&self, uid_validity: u32) -> io::Result<()> {
        let out = Command::new("/usr/bin/doveadm")
            .arg("-c")
            .arg(self.dir.join("dovecot.conf"))
            .args(["mailbox", "update", "-u", USER, "--uid-validity", &uid_validity.to_string(), "INBOX"])
            .output()?;
        if !out.status.success() {
            return Err(io::Error::other(format!("doveadm mailbox update: {}", String::from_utf8_lossy(&out.stderr))));
        }
        Ok(())
    }

    /// Delivers a raw mail to the seller's INBOX over LMTP.
    pub async fn deliver(&self, raw: &[u8]) -> io::Result<()> {
        mercator_channels::mailbox::lmtp_deliver(("127.0.0.1", self.lmtp_port), "buyer@example.test", USER, raw).await
    }

    /// Drops raw mails straight into the seller's Maildir (`new/`), as a
    /// delivery agent would: how benchmarks fill the mailbox with tens of
    /// thousands of mails quickly. The folder exists after one [`Self::deliver`].
    pub fn drop_into_maildir(&self, mails: impl IntoIterator<Item = Vec<u8>>) -> io::Result<usize> {
        let new = self.dir.join("mail").join(USER).join("new");
        std::fs::create_dir_all(&new)?;
        let mut n = 0;
        for raw in mails {
            std::fs::write(new.join(format!("{}.M{n}P1.bench", 1_700_000_000 + n)), raw)?;
            n += 1;
        }
        let _ = Command::new("chown").args(["-R", "nobody:nogroup"]).arg(self.dir.join("mail")).status();
        // Dovecot trusts that only it changes the Maildir (maildir_very_dirty_syncs):
        // have it look at the folder once
        let _ = Command::new("/usr/bin/doveadm")
            .arg("-c")
            .arg(self.dir.join("dovecot.conf"))
            .args(["force-resync", "-u", USER, "INBOX"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        Ok(n)
    }

    /// Every mail the SMTP receiver accepted, in order.
    pub fn received(&self) -> Vec<Vec<u8>> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.join("smtp"))
            .map(|r| {
                r.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.iter().filter_map(|p| std::fs::read(p).ok()).collect()
    }

    /// Makes the SMTP receiver answer every mail with `reply` (e.g. `550 5.1.1
    /// no such user` or `451 4.3.0 try later`), or accept again with None.
    pub fn smtp_refuse(&self, reply: Option<&str>) {
        let p = self.dir.join("smtp").join("refuse");
        match reply {
            Some(r) => {
                let _ = std::fs::write(p, r);
            }
            None => {
                let _ = std::fs::remove_file(p);
            }
        }
    }

    /// Makes the SMTP receiver wait `secs` before answering each mail (a
    /// send slower than its lease), or answer at once with None.
    pub fn smtp_stall(&self, secs: Option<u64>) {
        let p = self.dir.join("smtp").join("stall");
        match secs {
            Some(s) => {
                let _ = std::fs::write(p, s.to_string());
            }
            None => {
                let _ = std::fs::remove_file(p);
            }
        }
    }

    /// Dovecot's log (for a failing test's message).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("dovecot.log")).unwrap_or_default()
    }
}

impl Drop for MailServer {
    fn drop(&mut self) {
        self.stop_imap();
        let _ = self.smtp.kill();
        let _ = self.smtp.wait();
    }
}
