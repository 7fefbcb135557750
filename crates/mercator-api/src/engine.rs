//! The background work of one open profile, without Tauri: one task per
//! loop, started when the profile opens and stopped before it closes.
//!
//! - **sync**: every minute, pulls the accounts that are due (connected, not
//!   paused, interval passed, not backing off), each in its own task so a
//!   channel that never answers costs only its own run;
//! - **outbox**: every minute, and at once when asked ([`Engine::send_soon`],
//!   [`Engine::send_edits_soon`], the network coming back), sends what the
//!   outbox holds for connected accounts;
//! - **purge**: once a day, removes buyer data of orders shipped more than
//!   30 days ago.
//!
//! Offline state machine: a run that cannot reach its host at all puts the
//! profile offline (since then); offline, both loops look every 15 s and
//! every connected account is tried; the first run that reaches its channel
//! puts the profile back online and wakes the outbox so what waited goes out
//! at once. The window reports what it sees of the network through
//! [`Engine::resume`].
//!
//! The engine reports through [`Host`] (the shell emits window events) and
//! reads time from [`Clock`]: tests drive it with [`ManualClock`] and the
//! test kit's fake shops, in milliseconds and without a window. The inbox's
//! mail and chat polling and the print queue are further loops here.

use crate::outbox::{ConnectivityDto, DeliveryReport};
use crate::sync::{self, RunReport};
use crate::ApiResult;
use mercator_core::{ErrorCode, ErrorPayload};
use mercator_store::Store;
use mercator_vault::Vault;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{oneshot, watch, Notify};
use tokio::task::{JoinHandle, JoinSet};

/// What the engine tells the shell.
pub trait Host: Send + Sync + 'static {
    /// An account's run made progress (`running`) or ended.
    fn sync_event(&self, event: &SyncEvent);
    /// The profile went offline or came back.
    fn connectivity(&self, now: &ConnectivityDto);
    /// An outbox round ended (also when it had nothing to send).
    fn delivered(&self, _report: &DeliveryReport) {}
    /// The daily purge removed the buyer data of this many orders.
    fn purged(&self, _orders: i64) {}
    /// New buyer messages were stored (the window refreshes and notifies).
    fn inbox(&self, _event: &InboxEvent) {}
}

/// New mail in a mailbox (the window's `inbox` event and the OS notification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxEvent {
    pub mailbox_id: String,
    pub stored: usize,
    pub conversations: Vec<String>,
    /// The first new conversation's buyer and subject, for the notification.
    pub buyer: String,
    pub subject: String,
}

/// Sent while an account syncs and when it stops (the window's `sync` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncEvent {
    pub channel_id: String,
    pub report: RunReport,
    pub running: bool,
    pub error: Option<ErrorPayload>,
}

/// A sleep of the engine's clock.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Where the engine reads the time and waits.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;
    fn sleep(&self, d: Duration) -> Sleep;
}

/// The wall clock and tokio's timers.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
    fn sleep(&self, d: Duration) -> Sleep {
        Box::pin(tokio::time::sleep(d))
    }
}

/// A clock that moves only when told: sleeps end when [`ManualClock::advance`]
/// passes their deadline. For tests of anything that runs on the engine.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<Manual>>);

struct Manual {
    now: OffsetDateTime,
    next: u64,
    sleepers: BTreeMap<u64, (OffsetDateTime, oneshot::Sender<()>)>,
}

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> Self {
        ManualClock(Arc::new(Mutex::new(Manual { now: start, next: 0, sleepers: BTreeMap::new() })))
    }

    fn lock(&self) -> MutexGuard<'_, Manual> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the time on and ends every sleep whose deadline it passes.
    pub fn advance(&self, d: Duration) {
        let mut m = self.lock();
        m.now += d;
        let now = m.now;
        let done: Vec<u64> = m.sleepers.iter().filter(|(_, (at, _))| *at <= now).map(|(id, _)| *id).collect();
        for id in done {
            if let Some((_, tx)) = m.sleepers.remove(&id) {
                let _ = tx.send(());
            }
        }
    }

    /// How many sleeps are waiting for the time to move.
    pub fn sleepers(&self) -> usize {
        self.lock().sleepers.len()
    }

    /// Waits (in real time) until at least `n` sleeps wait: the loops are
    /// idle and the next [`advance`](Self::advance) reaches them all.
    pub async fn until_sleeping(&self, n: usize) {
        while self.sleepers() < n {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

/// Leaves the clock's list when the sleep is dropped unfinished (a loop
/// woken by something else).
struct ManualSleep {
    clock: ManualClock,
    id: u64,
    rx: oneshot::Receiver<()>,
}

impl Future for ManualSleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        Pin::new(&mut self.rx).poll(cx).map(|_| ())
    }
}

impl Drop for ManualSleep {
    fn drop(&mut self) {
        self.clock.lock().sleepers.remove(&self.id);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        self.lock().now
    }
    fn sleep(&self, d: Duration) -> Sleep {
        let (tx, rx) = oneshot::channel();
        let mut m = self.lock();
        let id = m.next;
        m.next += 1;
        let at = m.now + d;
        if d.is_zero() {
            let _ = tx.send(());
        } else {
            m.sleepers.insert(id, (at, tx));
        }
        drop(m);
        Box::pin(ManualSleep { clock: self.clone(), id, rx })
    }
}

/// How often the loops look.
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    /// Online: the sync and outbox loops look this often.
    pub tick: Duration,
    /// Offline: they look this often (resume soon after the network is back).
    pub offline_tick: Duration,
    /// After an edit, changes wait this long so edits made meanwhile go in
    /// the same round.
    pub edits_delay: Duration,
    /// The purge loop checks for a new day at least this often.
    pub purge_check: Duration,
    /// A mailbox's IDLE is renewed this often (servers drop it after 30 min).
    pub mail_idle: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            tick: Duration::from_secs(60),
            offline_tick: Duration::from_secs(15),
            edits_delay: Duration::from_secs(2),
            purge_check: Duration::from_secs(3600),
            mail_idle: Duration::from_secs(10 * 60),
        }
    }
}

struct Shared {
    store: Arc<Store>,
    vault: Vault,
    host: Arc<dyn Host>,
    clock: Arc<dyn Clock>,
    timings: Timings,
    /// Since when no channel could be reached; `None` while online. The
    /// loops watch it to look at the offline pace at once.
    offline_since: watch::Sender<Option<OffsetDateTime>>,
    wake_sync: Notify,
    wake_outbox: Notify,
    /// Wakes every mailbox watcher to read now.
    wake_mail: Notify,
    /// Mailboxes with a watcher running.
    watching: Mutex<HashSet<String>>,
    edits_pending: AtomicBool,
    /// Accounts with a run started by the sync loop still going.
    running: Mutex<HashSet<String>>,
    /// Accounts whose last run could not reach their host at all.
    unreachable: Mutex<HashSet<String>>,
    /// Runs the sync loop started, per account (diagnostics and tests).
    started: Mutex<HashMap<String, u64>>,
    tasks: Mutex<JoinSet<()>>,
    stop: watch::Sender<bool>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The background work of one open profile (see the module docs).
pub struct Engine {
    shared: Arc<Shared>,
    loops: Mutex<Vec<JoinHandle<()>>>,
}

impl Engine {
    /// Starts the loops on the current tokio runtime.
    pub fn start(
        store: Arc<Store>,
        vault: Vault,
        host: Arc<dyn Host>,
        clock: Arc<dyn Clock>,
        timings: Timings,
    ) -> Engine {
        let shared = Arc::new(Shared {
            store,
            vault,
            host,
            clock,
            timings,
            offline_since: watch::channel(None).0,
            wake_sync: Notify::new(),
            wake_outbox: Notify::new(),
            wake_mail: Notify::new(),
            watching: Mutex::new(HashSet::new()),
            edits_pending: AtomicBool::new(false),
            running: Mutex::new(HashSet::new()),
            unreachable: Mutex::new(HashSet::new()),
            started: Mutex::new(HashMap::new()),
            tasks: Mutex::new(JoinSet::new()),
            stop: watch::channel(false).0,
        });
        let loops = vec![
            tokio::spawn(sync_loop(shared.clone())),
            tokio::spawn(outbox_loop(shared.clone())),
            tokio::spawn(purge_loop(shared.clone())),
            tokio::spawn(mail_loop(shared.clone())),
        ];
        Engine { shared, loops: Mutex::new(loops) }
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.shared.store
    }

    /// Pulls an account now (the user asked), reporting like a scheduled run.
    pub async fn sync_now(&self, channel_id: &str) -> ApiResult<RunReport> {
        self.shared.run(channel_id).await
    }

    /// The window saw the network come back (or the user asked): try the
    /// channels and send what waits now instead of at the next tick.
    pub fn resume(&self) {
        self.shared.wake_sync.notify_one();
        self.shared.wake_outbox.notify_one();
        self.shared.wake_mail.notify_waiters();
    }

    /// Reads every mailbox now (the user asked, or a mailbox was added).
    pub fn check_mail(&self) {
        self.shared.wake_mail.notify_waiters();
    }

    /// Mailboxes being watched now.
    pub fn watching(&self) -> usize {
        lock(&self.shared.watching).len()
    }

    /// Sends what the outbox holds now, in the background (after shipments
    /// are recorded: the reply does not wait for the channels).
    pub fn send_soon(&self) {
        self.shared.wake_outbox.notify_one();
    }

    /// After an edit that may have queued channel updates: sends them after
    /// [`Timings::edits_delay`], with every edit made meanwhile.
    pub fn send_edits_soon(&self) {
        let s = &self.shared;
        if s.edits_pending.swap(true, Ordering::SeqCst) {
            return; // a round is already coming
        }
        let shared = s.clone();
        let mut stop = s.stop.subscribe();
        if *stop.borrow_and_update() {
            return; // stopping: the next start sends it
        }
        let mut tasks = lock(&s.tasks);
        while tasks.try_join_next().is_some() {}
        tasks.spawn(async move {
            tokio::select! {
                () = shared.clock.sleep(shared.timings.edits_delay) => {}
                _ = stop.changed() => return,
            }
            shared.edits_pending.store(false, Ordering::SeqCst);
            shared.wake_outbox.notify_one();
        });
    }

    /// Sends what is due now and waits for it (the user's "retry").
    pub async fn deliver_now(&self) -> ApiResult<DeliveryReport> {
        self.shared.deliver().await
    }

    pub async fn connectivity(&self) -> ConnectivityDto {
        self.shared.connectivity().await
    }

    /// How many runs the sync loop has started for each account.
    pub fn runs_started(&self) -> HashMap<String, u64> {
        lock(&self.shared.started).clone()
    }

    /// Stops every loop and waits for them; runs and sends still going are
    /// cut off where they are (each is crash-safe: what it did not finish is
    /// done again at the next start), so closing never waits for a channel.
    pub async fn stop(&self) {
        let _ = self.shared.stop.send(true);
        let loops: Vec<JoinHandle<()>> = std::mem::take(&mut *lock(&self.loops));
        for l in loops {
            l.abort();
            let _ = l.await;
        }
        let mut tasks = std::mem::take(&mut *lock(&self.shared.tasks));
        tasks.shutdown().await;
    }
}

impl Shared {
    fn offline(&self) -> bool {
        self.offline_since.borrow().is_some()
    }

    fn tick(&self) -> Duration {
        if self.offline() {
            self.timings.offline_tick
        } else {
            self.timings.tick
        }
    }

    fn stopped(&self) -> bool {
        *self.stop.borrow()
    }

    async fn connectivity(&self) -> ConnectivityDto {
        let since = *self.offline_since.borrow();
        let waiting = mercator_store::outbox::counts(self.store.pool()).await.map_or(0, |c| c.pending + c.in_flight);
        ConnectivityDto { offline: since.is_some(), since: since.map(mercator_channels::fmt_time), waiting }
    }

    async fn set_offline(&self, offline: bool) {
        let now = self.clock.now();
        let changed = self.offline_since.send_if_modified(|since| {
            if since.is_some() == offline {
                return false;
            }
            *since = offline.then_some(now);
            true
        });
        if changed {
            tracing::info!(offline, "connectivity changed");
            if !offline {
                // back online: what waited goes out now, not after its short wait
                if let Err(e) = mercator_store::outbox::due_again(self.store.pool(), now).await {
                    tracing::warn!(error = %e, "waiting changes not made due");
                }
                self.wake_outbox.notify_one();
            }
            self.host.connectivity(&self.connectivity().await);
        }
    }

    /// One outbox round: channel changes, then replies by mail.
    async fn deliver(&self) -> ApiResult<DeliveryReport> {
        let now = self.clock.now();
        let mut r = crate::outbox::deliver_due_at(&self.store, &self.vault, now).await?;
        let replies = crate::inbox::deliver_replies_at(&self.store, &self.vault, now).await?;
        r.sent += replies.sent + replies.found_sent;
        r.failed += replies.failed;
        Ok(r)
    }

    async fn run(&self, channel_id: &str) -> ApiResult<RunReport> {
        let progress = |r: &RunReport| {
            self.host.sync_event(&SyncEvent { channel_id: channel_id.into(), report: *r, running: true, error: None });
        };
        let r = sync::sync_now_at(&self.store, &self.vault, channel_id, self.clock.now(), &progress).await;
        // a run of this account is under way: that run reports, this one says nothing
        if let Err(e) = &r {
            if e.0.code == ErrorCode::SyncRunning.as_str() {
                return r;
            }
        }
        let (report, error) = match &r {
            Ok(rep) => (*rep, None),
            Err(e) => (RunReport::default(), Some(e.0.clone())),
        };
        self.reached(channel_id, error.as_ref()).await;
        self.host.sync_event(&SyncEvent { channel_id: channel_id.into(), report, running: false, error });
        if report.chat_messages > 0 {
            self.host.inbox(&InboxEvent {
                mailbox_id: String::new(),
                stored: usize::try_from(report.chat_messages).unwrap_or(0),
                conversations: vec![],
                buyer: String::new(),
                subject: String::new(),
            });
        }
        r
    }

    /// Books what a run of `channel_id` says about the network. A run that
    /// reached its channel (an answer of any kind) clears it; one that could
    /// not reach the host at all marks it; an error before any request (the
    /// keyring, the settings) says nothing. The profile is offline while
    /// every connected account is unreachable: one shop that is down does not
    /// take the others off their schedule.
    async fn reached(&self, channel_id: &str, error: Option<&ErrorPayload>) {
        // the errors that come from a channel's answer (or its silence after the request went out)
        const ANSWERS: [ErrorCode; 7] = [
            ErrorCode::ChannelMissing,
            ErrorCode::ChannelAuth,
            ErrorCode::ChannelRateLimited,
            ErrorCode::ChannelUnavailable,
            ErrorCode::ChannelBadResponse,
            ErrorCode::ChannelRejected,
            ErrorCode::ChannelNoAnswer,
        ];
        let answered = match error.map(|e| e.code.as_str()) {
            None => Some(true),
            Some(c) if c == ErrorCode::ChannelOffline.as_str() => Some(false),
            Some(c) if ANSWERS.iter().any(|a| a.as_str() == c) => Some(true),
            // settings, keyring, an insecure address, the store: no request was made
            Some(_) => None,
        };
        match answered {
            Some(true) => {
                lock(&self.unreachable).remove(channel_id);
            }
            Some(false) => {
                lock(&self.unreachable).insert(channel_id.to_string());
            }
            None => {}
        }
        let Ok(connected) = self.store.active_channels().await else { return };
        let all_unreachable = {
            let mut u = lock(&self.unreachable);
            u.retain(|id| connected.contains(id));
            !connected.is_empty() && connected.iter().all(|id| u.contains(id))
        };
        self.set_offline(all_unreachable).await;
    }

    /// Waits for the loop's next look: its tick (online or offline pace,
    /// re-armed when the state changes), a wake-up, or the stop. Returns
    /// false when the engine stops.
    async fn wait_tick(&self, wake: &Notify, stop: &mut watch::Receiver<bool>) -> bool {
        let mut state = self.offline_since.subscribe();
        loop {
            tokio::select! {
                () = self.clock.sleep(self.tick()) => break,
                () = wake.notified() => break,
                _ = stop.changed() => break,
                changed = state.changed() => if changed.is_err() { break },
            }
        }
        !self.stopped()
    }

    /// Waits `d` or for the stop; false when the engine stops.
    async fn wait(&self, d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
        tokio::select! {
            () = self.clock.sleep(d) => {}
            _ = stop.changed() => {}
        }
        !self.stopped()
    }
}

/// Takes an account off the running set when dropped.
struct Running<'a>(&'a Shared, &'a str);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        lock(&self.0.running).remove(self.1);
    }
}

async fn sync_loop(s: Arc<Shared>) {
    let mut stop = s.stop.subscribe();
    while s.wait_tick(&s.wake_sync, &mut stop).await {
        let due = if s.offline() {
            // every connected account is due once the network is back
            s.store.active_channels().await.map_err(crate::ApiError::from)
        } else {
            sync::due_accounts(&s.store, s.clock.now()).await
        };
        let due: Vec<String> = match due {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "due accounts not read");
                continue;
            }
        };
        if s.offline() && due.is_empty() {
            // no connected account left to be offline from (paused, removed)
            s.set_offline(false).await;
        }
        for id in due {
            if !lock(&s.running).insert(id.clone()) {
                continue; // its last run is still going
            }
            *lock(&s.started).entry(id.clone()).or_default() += 1;
            let shared = s.clone();
            let mut tasks = lock(&s.tasks);
            while tasks.try_join_next().is_some() {}
            tasks.spawn(async move {
                // the account is free for the next look however this run ends (a panic included)
                let _free = Running(&shared, &id);
                match shared.run(&id).await {
                    Err(e) if e.0.code == ErrorCode::SyncRunning.as_str() => {}
                    Err(e) => tracing::warn!(channel = %id, error = %e, "sync stopped"),
                    Ok(_) => {}
                }
            });
        }
    }
}

async fn outbox_loop(s: Arc<Shared>) {
    let mut stop = s.stop.subscribe();
    while s.wait_tick(&s.wake_outbox, &mut stop).await {
        match s.deliver().await {
            Ok(r) => {
                if r.sent + r.failed > 0 {
                    tracing::info!(sent = r.sent, failed = r.failed, "outbox delivered");
                }
                s.host.delivered(&r);
            }
            Err(e) => tracing::warn!(error = %e, "outbox delivery failed"),
        }
    }
}

/// Starts a watcher for every mailbox that has none, at start and at each
/// tick (a mailbox added meanwhile is picked up; one removed ends its own).
async fn mail_loop(s: Arc<Shared>) {
    let mut stop = s.stop.subscribe();
    loop {
        match s.store.mailboxes().await {
            Ok(list) => {
                for m in list {
                    if !lock(&s.watching).insert(m.id.clone()) {
                        continue;
                    }
                    let shared = s.clone();
                    let mut tasks = lock(&s.tasks);
                    while tasks.try_join_next().is_some() {}
                    tasks.spawn(async move {
                        let id = m.id;
                        watch_mailbox(&shared, &id).await;
                        lock(&shared.watching).remove(&id);
                    });
                }
            }
            Err(e) => tracing::warn!(error = %e, "mailboxes not read"),
        }
        tokio::select! {
            () = s.clock.sleep(s.timings.tick) => {}
            () = s.wake_mail.notified() => {}
            _ = stop.changed() => {}
        }
        if s.stopped() {
            return;
        }
    }
}

/// Reads one mailbox, then waits on its open connection (IDLE) for more,
/// until the mailbox is removed or the engine stops. A failed read is tried
/// again at the offline pace with a new connection.
async fn watch_mailbox(s: &Shared, id: &str) {
    let mut stop = s.stop.subscribe();
    let mut conn: Option<mercator_channels::mailbox::Imap> = None;
    loop {
        if s.stopped() || s.store.mailbox(id).await.is_err() {
            return;
        }
        let read = tokio::select! {
            r = crate::inbox::read_mailbox(&s.store, &s.vault, id, conn.take()) => r,
            _ = stop.changed() => return,
        };
        match read {
            Ok((imap, report)) => {
                if report.stored > 0 {
                    let first = report.conversations.first().cloned().unwrap_or_default();
                    let c = s.store.conversation(&first, s.clock.now()).await.ok();
                    s.host.inbox(&InboxEvent {
                        mailbox_id: id.to_string(),
                        stored: report.stored,
                        buyer: c.as_ref().map(|c| c.buyer_name.clone()).unwrap_or_default(),
                        subject: c.map(|c| c.subject).unwrap_or_default(),
                        conversations: report.conversations,
                    });
                }
                let limit = if imap.has_idle() { s.timings.mail_idle } else { s.tick() };
                tokio::select! {
                    r = imap.wait(limit) => conn = r.ok().map(|(c, _)| c),
                    () = s.wake_mail.notified() => {}
                    _ = stop.changed() => return,
                }
            }
            Err(e) => {
                tracing::warn!(mailbox = %id, error = %e, "mailbox not read");
                tokio::select! {
                    () = s.clock.sleep(s.timings.offline_tick) => {}
                    () = s.wake_mail.notified() => {}
                    _ = stop.changed() => return,
                }
            }
        }
    }
}

/// The first purge comes a tick after the profile opens (off the start-up
/// path), then one each new day of the engine's clock (UTC).
async fn purge_loop(s: Arc<Shared>) {
    let mut stop = s.stop.subscribe();
    let mut last: Option<time::Date> = None;
    let mut next = s.timings.tick;
    while s.wait(next, &mut stop).await {
        let now = s.clock.now();
        if last != Some(now.date()) {
            match sync::purge_buyer_data_at(&s.store, now).await {
                Ok(n) => {
                    s.host.purged(n);
                    last = Some(now.date());
                }
                // tried again at the next look
                Err(e) => tracing::warn!(error = %e, "purge failed"),
            }
        }
        let midnight = now.date().next_day().map(|d| d.midnight().assume_utc());
        let to_midnight = midnight
            .map(|m| m - s.clock.now())
            .and_then(|d| Duration::try_from(d).ok())
            .unwrap_or(s.timings.purge_check);
        next = to_midnight.min(s.timings.purge_check).max(Duration::from_secs(1));
    }
}
