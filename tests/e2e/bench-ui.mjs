// UI benchmark through the real release binary (run by `cargo xtask bench-ui`):
// keystroke-to-results-on-screen latency of the catalog search, and memory of
// the app with its WebKit processes after scrolling through the catalog.
// Prints figures; asserts nothing about time.
import { readFileSync } from 'node:fs';
import { descendants, launch } from './webdriver.mjs';

const APP = process.env.MERCATOR_APP;
const DATA = process.env.MERCATOR_DATA_DIR;

function memory(pids) {
  let pss = 0;
  let rss = 0;
  for (const p of pids) {
    try {
      const t = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      pss += Number(/^Pss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
      rss += Number(/^Rss:\s+(\d+)/m.exec(t)?.[1] ?? 0);
    } catch {}
  }
  return { pss: Math.round(pss / 1024), rss: Math.round(rss / 1024) };
}

// In the page: type `q` into the search box (input event, as a keystroke does)
// and resolve when the first row shows a result for it.
const MEASURE = `
  const [q, done] = [arguments[0], arguments[arguments.length - 1]];
  const input = document.querySelector('[data-testid="catalog-search"]');
  const row = () => document.querySelector('[data-testid="catalog-table"] [data-row="0"]');
  const matches = () => document.querySelector('[data-testid="catalog-matches"]');
  const before = (row() ? row().innerText : '') + '|' + (matches() ? matches().innerText : '');
  const t0 = performance.now();
  input.value = q;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  const tick = () => {
    const now = (row() ? row().innerText : '') + '|' + (matches() ? matches().innerText : '');
    const settled = (row() && !row().innerText.includes('…')) || (matches() && /^\D*0\D/.test(matches().innerText));
    if (now !== before && (q === '' || matches()) && settled) done(performance.now() - t0);
    else if (q === '' && input.value === '' && before.endsWith('|') && performance.now() - t0 > 50) done(0);
    else if (performance.now() - t0 > 5000) done(-1);
    else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
`;

const s = await launch(APP, { MERCATOR_DATA_DIR: DATA, MERCATOR_LOG_DIR: `${DATA}/../bench-logs` });
try {
  await s.waitText('[data-testid="catalog-summary"]', (t) => /\d/.test(t), 30000);
  const family = [s.driver.pid, ...descendants(s.driver.pid)];
  const kinds = {
    // product n (1-based) of the generated shop is a kitchen item (KIT) when (n - 1) % 50 < 8
    'SKU prefix': Array.from({ length: 40 }, (_, i) => `GKIT-${String(i * 50 * 13 + 3).padStart(5, '0')}`),
    'English word': ['Bamboo', 'Charger', 'Stainless', 'Yoga', 'Notebook', 'Headlamp', 'Wireless', 'Towel'].flatMap((w) => [w, w.toLowerCase(), w + ' Series']).slice(0, 40),
    'Chinese substring': ['保温水壶', '充电器', '瑜伽垫', '笔记本', '机械键盘', '收纳', '耳机', '台灯'].flatMap((w) => [w, w + ' 第3代', w]).slice(0, 40),
  };
  console.log('\nCatalog search, keystroke to results on screen (release app, 100k-SKU shop):');
  for (const [name, queries] of Object.entries(kinds)) {
    const times = [];
    for (const q of queries) {
      // reset between queries so each one changes what is shown
      await s.cmd('POST', '/execute/async', { script: MEASURE, args: [''] });
      const ms = await s.cmd('POST', '/execute/async', { script: MEASURE, args: [q] });
      if (ms >= 0) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const p = (x) => times[Math.min(times.length - 1, Math.floor((times.length * x) / 100))]?.toFixed(1);
    console.log(`${name.padEnd(20)} p50 ${p(50)} ms   p99 ${p(99)} ms   (${times.length} queries)`);
  }
  await s.cmd('POST', '/execute/async', { script: MEASURE, args: [''] });

  // Opening the catalog from another section (Settings): click to first rows on screen.
  const OPEN = `
    const done = arguments[arguments.length - 1];
    document.querySelector('[data-nav="settings"]').click();
    const wait = (pred, then) => { const tick = () => (pred() ? then() : requestAnimationFrame(tick)); requestAnimationFrame(tick); };
    const row = () => document.querySelector('[data-testid="catalog-table"] [data-row="0"]');
    wait(() => document.querySelector('[data-testid="settings-title"]'), () => {
      const t0 = performance.now();
      document.querySelector('[data-nav="catalog"]').click();
      wait(() => row() && row().innerText.trim() && !row().innerText.includes('…'), () => done(performance.now() - t0));
    });`;
  const opens = [];
  for (let i = 0; i < 20; i++) opens.push(await s.cmd('POST', '/execute/async', { script: OPEN, args: [] }));
  opens.sort((a, b) => a - b);
  console.log(`\nOpening the catalog (from Settings) to its first rows on screen: p50 ${opens[10].toFixed(1)} ms   p99 ${opens[19].toFixed(1)} ms   (20 times)`);

  // The orders list (100k orders): opening it from Settings to its first rows
  // on screen, then filters changed as a user does (each to a different total).
  const ORDERS_OPEN = `
    const done = arguments[arguments.length - 1];
    document.querySelector('[data-nav="settings"]').click();
    const wait = (pred, then) => { const tick = () => (pred() ? then() : requestAnimationFrame(tick)); requestAnimationFrame(tick); };
    const row = () => document.querySelector('[data-testid="orders-table"] [data-row="0"]');
    wait(() => document.querySelector('[data-testid="settings-title"]'), () => {
      const t0 = performance.now();
      document.querySelector('[data-nav="orders"]').click();
      wait(() => row() && row().innerText.trim() && !row().innerText.includes('…'), () => done(performance.now() - t0));
    });`;
  const ordersOpen = [];
  for (let i = 0; i < 20; i++) ordersOpen.push(await s.cmd('POST', '/execute/async', { script: ORDERS_OPEN, args: [] }));
  ordersOpen.sort((a, b) => a - b);
  const total = await s.text('[data-testid="orders-total"]');
  console.log(`\nOpening the orders list (${total.trim()}) from Settings to its first rows on screen: p50 ${ordersOpen[10].toFixed(1)} ms   p99 ${ordersOpen[19].toFixed(1)} ms   (20 times)`);
  const FILTER = `
    const [css, value, event, done] = [arguments[0], arguments[1], arguments[2], arguments[arguments.length - 1]];
    const el = document.querySelector(css);
    const row = () => document.querySelector('[data-testid="orders-table"] [data-row="0"]');
    const totalText = () => document.querySelector('[data-testid="orders-total"]')?.innerText ?? '';
    const before = totalText();
    const t0 = performance.now();
    el.value = value;
    el.dispatchEvent(new Event(event, { bubbles: true }));
    const tick = () => {
      const changed = totalText() !== before;
      const settled = (row() && row().innerText.trim() && !row().innerText.includes('…')) || /(^|\D)0(\D|$)/.test(totalText());
      if (changed && settled) done(performance.now() - t0);
      else if (performance.now() - t0 > 5000) done(-1);
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);`;
  const filters = {
    'state': ['[data-testid="orders-status"]', 'change', ['shipped', '', 'unshipped', '', 'cancelled', '']],
    'order number / buyer': ['[data-testid="orders-search"]', 'input', ['302-1000-0001', '', 'Käufer 4242', '', '302-1000-00999', '']],
    'SKU': ['[data-testid="orders-sku"]', 'input', ['KIT', '', 'ELE', '', 'HOM-00021', '']],
    'ship-to country': ['[data-testid="orders-country"]', 'input', ['AT', '', 'FR', '']],
  };
  for (const [name, [css, event, values]] of Object.entries(filters)) {
    const times = [];
    for (let round = 0; round < 4; round++) {
      for (const v of values) {
        const ms = await s.cmd('POST', '/execute/async', { script: FILTER, args: [css, v, event] });
        if (ms >= 0) times.push(ms);
      }
    }
    times.sort((a, b) => a - b);
    const p = (x) => times[Math.min(times.length - 1, Math.floor((times.length * x) / 100))]?.toFixed(1);
    console.log(`orders filter ${name.padEnd(22)} p50 ${p(50)} ms   p99 ${p(99)} ms   (${times.length} changes)`);
  }
  await s.cmd('POST', '/execute/async', {
    script: `
      const done = arguments[arguments.length - 1];
      const body = document.querySelector('[data-testid="orders-table"] .vbody');
      let i = 0;
      const step = () => {
        body.scrollTop = (body.scrollHeight * i) / 40;
        body.dispatchEvent(new Event('scroll'));
        if (++i <= 40) setTimeout(step, 50); else setTimeout(done, 1500);
      };
      step();`,
    args: [],
  });
  {
    await s.cmd('POST', '/execute/async', { script: `const d = arguments[arguments.length - 1]; document.querySelector('[data-nav="catalog"]').click(); setTimeout(d, 500);`, args: [] });
  }
  const idle = memory(family);
  // Scroll through the catalog: 40 jumps across the whole table, one frame each.
  await s.cmd('POST', '/execute/async', {
    script: `
      const done = arguments[arguments.length - 1];
      const body = document.querySelector('[data-testid="catalog-table"] .vbody');
      let i = 0;
      const step = () => {
        body.scrollTop = (body.scrollHeight * i) / 40;
        body.dispatchEvent(new Event('scroll'));
        if (++i <= 40) setTimeout(step, 50); else setTimeout(done, 1500);
      };
      step();`,
    args: [],
  });
  const browsed = memory(family);
  console.log(`\nMemory, app + WebKit processes: after searching ${idle.pss} MiB PSS (${idle.rss} MiB RSS); after scrolling through the catalog ${browsed.pss} MiB PSS (${browsed.rss} MiB RSS)`);
} finally {
  await s.close();
}
