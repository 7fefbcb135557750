// A minimal W3C WebDriver client for tauri-driver, on Node's fetch.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import net from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** All descendant pids of `root` (Linux /proc). */
export function descendants(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(name));
    } catch {
      /* process ended while we looked */
    }
  }
  const out = [];
  const queue = [root];
  while (queue.length) {
    for (const c of children.get(queue.shift()) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** Starts tauri-driver with `env` (inherited by the app) and opens a session on `app`. */
export async function launch(app, env = {}) {
  const port = await freePort();
  const nativePort = await freePort();
  const driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (i > 100) throw new Error('tauri-driver did not start');
    await sleep(100);
  }
  const res = await call(base, 'POST', '/session', {
    capabilities: { alwaysMatch: { 'tauri:options': { application: app } } },
  });
  return new Session(base, res.sessionId, driver);
}

async function call(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await r.json().catch(() => ({}));
  if (!r.ok || json.value?.error) {
    const v = json.value ?? {};
    throw new Error(`WebDriver ${method} ${path}: ${v.error ?? r.status} ${v.message ?? ''}`);
  }
  return json.value;
}

export class Session {
  constructor(base, id, driver) {
    this.base = base;
    this.id = id;
    this.driver = driver;
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, body);
  }

  /** Waits until `css` matches an element (default 10 s); returns its id. */
  async find(css, timeout = 10000) {
    const end = Date.now() + timeout;
    let last;
    while (Date.now() < end) {
      try {
        const v = await this.cmd('POST', '/element', { using: 'css selector', value: css });
        return v[ELEMENT];
      } catch (e) {
        last = e;
        await sleep(100);
      }
    }
    throw new Error(`no element ${css}: ${last?.message}`);
  }

  async findAll(css) {
    // WebKitWebDriver may answer "stale element" when a match leaves the DOM
    // while it collects them: look again
    for (let k = 0; ; k++) {
      try {
        const v = await this.cmd('POST', '/elements', { using: 'css selector', value: css });
        return v.map((e) => e[ELEMENT]);
      } catch (e) {
        if (k >= 20 || !/stale element/i.test(e.message)) throw e;
        await sleep(50);
      }
    }
  }

  /** The element's rendered text (innerText: what a user sees, laid out). */
  async text(css) {
    const el = await this.find(css);
    const t = await this.exec('return arguments[0].innerText', [{ [ELEMENT]: el }]);
    return String(t ?? '').trim();
  }

  /** Waits until the text of `css` satisfies `pred`. */
  async waitText(css, pred, timeout = 10000) {
    const end = Date.now() + timeout;
    let last = '';
    while (Date.now() < end) {
      try {
        last = await this.text(css);
        if (pred(last)) return last;
      } catch {
        /* element may be re-rendering */
      }
      await sleep(100);
    }
    throw new Error(`text of ${css} never matched; last: ${JSON.stringify(last)}`);
  }

  async click(css) {
    const el = await this.find(css);
    await this.cmd('POST', `/element/${el}/click`, {});
  }

  /** Types `text` into the element (real key events). */
  async type(css, text) {
    const el = await this.find(css);
    await this.cmd('POST', `/element/${el}/value`, { text });
  }

  async clear(css) {
    const el = await this.find(css);
    await this.cmd('POST', `/element/${el}/clear`, {});
  }

  async count(css) {
    return (await this.findAll(css)).length;
  }

  exec(script, args = []) {
    return this.cmd('POST', '/execute/sync', { script, args });
  }

  async screenshot(file) {
    const { writeFile } = await import('node:fs/promises');
    const b64 = await this.cmd('GET', '/screenshot');
    await writeFile(file, Buffer.from(b64, 'base64'));
  }

  async close() {
    // Everything tauri-driver started (WebKitWebDriver, the app, WebKit's
    // helpers), so nothing outlives the test and meets the next one's
    // single-instance check.
    const family = descendants(this.driver.pid);
    try {
      await this.cmd('DELETE', '');
    } catch {
      /* app may already be gone */
    }
    this.driver.kill();
    await new Promise((r) => (this.driver.exitCode !== null ? r() : this.driver.once('exit', r)));
    const deadline = Date.now() + 5000;
    for (const sig of ['SIGTERM', 'SIGKILL']) {
      for (const pid of family) {
        try {
          process.kill(pid, sig);
        } catch {
          /* already gone */
        }
      }
      while (Date.now() < deadline && family.some(alive)) await sleep(50);
      if (!family.some(alive)) break;
    }
  }
}
