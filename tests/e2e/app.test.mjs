// End-to-end: drives the real Mercator binary through its window.
// Run by `cargo xtask e2e` (under Xvfb, in a D-Bus session with a keyring).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launch } from './webdriver.mjs';
import { execFileSync, spawnSync } from 'node:child_process';

const APP = resolve(process.env.MERCATOR_APP ?? '../../target/debug/mercator');
const SHOTS = resolve(process.env.MERCATOR_SHOTS ?? 'artifacts');
const root = mkdtempSync(join(tmpdir(), 'mercator-e2e-'));
const logs = join(root, 'logs');

before(() => {
  assert.ok(existsSync(APP), `built app missing at ${APP}`);
  mkdirSync(SHOTS, { recursive: true });
});

const env = (dataDir) => ({ MERCATOR_DATA_DIR: dataDir, MERCATOR_LOG_DIR: logs });

/** Sets a form control's value as typing or choosing would (tabs and newlines included). */
async function setValue(s, css, value, event = 'input') {
  if (event === 'change') {
    // a select: wait until it offers the value
    const has = `return !!document.querySelector(${JSON.stringify(css)} + ' option[value="${value}"]')`;
    for (let k = 0; k < 50 && !(await s.exec(has)); k++) await new Promise((r) => setTimeout(r, 100));
  }
  await s.exec(`const el = document.querySelector(${JSON.stringify(css)}); el.value = ${JSON.stringify(value)}; el.dispatchEvent(new Event(${JSON.stringify(event)}, { bubbles: true }));`);
}

/**
 * Chooses `path` in the system's file dialog (GTK under Xvfb), as a user
 * would: the dialog with `title` appears, Ctrl+L opens its location field,
 * the path is typed, Enter opens it. The app reads the file itself.
 */
function pickFile(title, path) {
  const x = (...args) => {
    const r = spawnSync('xdotool', args, { encoding: 'utf8', timeout: 20000 });
    if (r.status !== 0) throw new Error(`xdotool ${args.join(' ')}: ${r.stderr || r.status}`);
    return r.stdout.trim();
  };
  const sleep = (sec) => spawnSync('sleep', [String(sec)]);
  const win = x('search', '--sync', '--onlyvisible', '--name', title).split('\n')[0];
  x('windowfocus', '--sync', win);
  x('key', '--clearmodifiers', 'ctrl+l');
  sleep(0.3);
  x('type', '--delay', '25', path);
  // GTK completes the typed path first; Enter opens it once it has
  for (let k = 0; k < 20; k++) {
    sleep(0.5);
    const open = spawnSync('xdotool', ['search', '--onlyvisible', '--name', title], { encoding: 'utf8' });
    if (open.status !== 0 || !open.stdout.trim()) return;
    x('key', 'Return');
  }
  throw new Error(`the file dialog did not open ${path}`);
}

test('first run creates the data folder, loads the demo shop, every section works, language switches and is remembered', async () => {
  const dataDir = join(root, 'fresh', 'profile'); // neither folder exists yet
  mkdirSync(join(root, 'fresh'));
  assert.equal(existsSync(dataDir), false);

  let s = await launch(APP, env(dataDir));
  try {
    // Demo catalog visible
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products') && t.includes('150 variants'));
    await s.waitText('[data-testid="catalog-table"] [data-row="0"]', (t) => t.includes('Silicone Spatula Set'));
    assert.ok((await s.count('[data-testid="catalog-table"] .vrow')) >= 10);
    assert.ok(existsSync(join(dataDir, 'mercator.db')), 'database created in the fresh data folder');
    assert.match(await s.text('[data-testid="shop-name"]'), /Hearthly/);
    assert.equal(await s.text('[data-testid="sync-status"]'), 'All changes saved locally');
    await s.screenshot(join(SHOTS, 'catalog-en.png'));

    // Search: Chinese substring, English words, SKU prefix
    await s.type('[data-testid="catalog-search"]', '耳机');
    await s.waitText('[data-testid="catalog-matches"]', (t) => t === '1 matching product');
    await s.waitText('[data-testid="catalog-table"] [data-row="0"]', (t) => t.includes('Bluetooth 5.3 Wireless Earbuds'));
    assert.equal(await s.count('[data-testid="catalog-table"] .vrow'), 1);
    await s.clear('[data-testid="catalog-search"]');
    await s.type('[data-testid="catalog-search"]', 'kit-0000');
    await s.waitText('[data-testid="catalog-matches"]', (t) => t === '8 matching products');
    await s.screenshot(join(SHOTS, 'catalog-search-en.png'));
    await s.clear('[data-testid="catalog-search"]');
    await s.waitText('[data-testid="catalog-table"] [data-row="0"]', (t) => t.includes('Silicone Spatula Set'));

    // Every section
    await s.click('[data-nav="pricing"]');
    await s.waitText('[data-testid="pricing-matrix"] [data-row="0"]', (t) => /[A-Z]{3}-\d{5}/.test(t));
    await s.click('[data-nav="orders"]');
    await s.waitText('[data-testid="orders-table"] [data-row="0"]', (t) => t.length > 10);
    const orderText = await s.text('[data-testid="orders-table"] .vbody');
    assert.match(orderText, /\$\d+\.\d\d/, 'USD amounts');
    assert.match(orderText, /€\d+\.\d\d/, 'EUR amounts');
    assert.match(orderText, /¥[\d,]+(?!\.)/, 'JPY without decimals');
    await s.screenshot(join(SHOTS, 'orders-en.png'));
    await s.click('[data-nav="inbox"]');
    await s.waitText('[data-testid="inbox-list"]', (t) => t.includes('Wo ist meine Bestellung?'));
    // Untrusted buyer text is shown literally, not executed or rendered as HTML.
    const inbox = await s.text('[data-testid="inbox-list"]');
    assert.ok(inbox.includes('<script>alert(1)</script>'), 'script tag shown as text');
    assert.equal(await s.count('[data-testid="inbox-list"] script, [data-testid="inbox-list"] b'), 0);
    await s.click('[data-nav="warehouse"]');
    await s.waitText('[data-testid="pick-list"]', (t) => /-(BLK|WHT|BLU|S|M|L|1M|2M|3M|P1|P3|P6|500|750|1L)\b/.test(t));
    await s.click('[data-nav="settings"]');
    await s.waitText('[data-testid="data-dir"]', (t) => t === dataDir);
    // The real OS keyring (gnome-keyring in the test session) answers the probe.
    await s.waitText('[data-testid="vault-status"]', (t) => t.includes('Available: Secret Service'));
    assert.match(await s.text('[data-testid="app-version"]'), /^\d+\.\d+\.\d+/);
    await s.screenshot(join(SHOTS, 'settings-en.png'));

    // Switch to Chinese: labels change at once
    await s.click('[data-testid="language-select"]');
    await s.click('[data-testid="language-select"] option[value="zh-CN"]');
    await s.waitText('[data-nav="catalog"]', (t) => t.includes('商品目录'));
    assert.equal(await s.exec('return document.querySelector(\'[data-testid="language-select"]\').value'), 'zh-CN');
    assert.match(await s.text('[data-nav="orders"]'), /订单/);
    assert.match(await s.text('[data-nav="settings"]'), /设置/);
    assert.equal(await s.text('[data-testid="sync-status"]'), '所有更改已保存在本机');
    await s.screenshot(join(SHOTS, 'settings-zh.png'));
    await s.click('[data-nav="catalog"]');
    await s.waitText('[data-testid="catalog-table"] [data-row="0"]', (t) => t.includes('硅胶锅铲套装'));
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 个商品'));
    await s.screenshot(join(SHOTS, 'catalog-zh.png'));
    await s.type('[data-testid="catalog-search"]', 'Knoblauchpresse');
    await s.waitText('[data-testid="catalog-matches"]', (t) => t === '找到 1 个商品');
    await s.waitText('[data-testid="catalog-table"] [data-row="0"]', (t) => t.includes('不锈钢压蒜器'));
    await s.screenshot(join(SHOTS, 'catalog-search-zh.png'));
    await s.clear('[data-testid="catalog-search"]');
    await s.click('[data-nav="orders"]');
    await s.waitText('[data-testid="orders-table"] [data-row="0"]', (t) => /年|月/.test(t) || /\d/.test(t));
    await s.screenshot(join(SHOTS, 'orders-zh.png'));
  } finally {
    await s.close();
  }

  // Restart on the same data folder: Chinese remembered, demo not loaded twice.
  s = await launch(APP, env(dataDir));
  try {
    await s.waitText('[data-nav="catalog"]', (t) => t.includes('商品目录'));
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 个商品') && t.includes('150 个变体'));
    await s.click('[data-nav="settings"]');
    await s.waitText('[data-testid="settings-title"]', (t) => t === '设置');
    assert.equal(await s.exec('return document.querySelector(\'[data-testid="language-select"]\').value'), 'zh-CN');
    await s.click('[data-testid="theme-dark"]');
    await s.waitText('[data-testid="vault-status"]', (t) => t.includes('可用：Secret Service'));
    assert.equal(await s.exec('return document.documentElement.dataset.theme'), 'dark');
    await s.screenshot(join(SHOTS, 'settings-zh-dark.png'));
    await s.click('[data-testid="language-select"]');
    await s.click('[data-testid="language-select"] option[value="en-US"]');
    await s.waitText('[data-nav="catalog"]', (t) => t.includes('Catalog'));
  } finally {
    await s.close();
  }
});

test('a damaged database is named, kept, and can be moved aside to start fresh', async () => {
  const dataDir = join(root, 'broken');
  mkdirSync(dataDir);
  const garbage = 'this is not a database '.repeat(200);
  writeFileSync(join(dataDir, 'mercator.db'), garbage);
  const s = await launch(APP, env(dataDir));
  try {
    const msg = await s.waitText('[data-testid="startup-error"]', (t) => t.length > 0);
    assert.match(msg, /not a Mercator shop database/);
    assert.ok(msg.includes(join(dataDir, 'mercator.db')), 'names the file');
    await s.screenshot(join(SHOTS, 'startup-corrupt-en.png'));
    await s.click('[data-testid="move-aside"]');
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
    const kept = readdirSync(dataDir).filter((f) => f.startsWith('mercator.db.broken-'));
    assert.equal(kept.length, 1, 'old file kept under a new name');
    assert.equal(readFileSync(join(dataDir, kept[0]), 'utf8'), garbage);
  } finally {
    await s.close();
  }
});

test('a data folder that cannot be created is explained in the window', async () => {
  const dataDir = join(root, 'no', 'such', 'parent');
  const s = await launch(APP, env(dataDir));
  try {
    const msg = await s.waitText('[data-testid="startup-error"]', (t) => t.length > 0);
    assert.ok(msg.includes(dataDir), msg);
    assert.match(msg, /does not exist/);
    assert.equal(await s.count('[data-testid="move-aside"]'), 0, 'nothing to move aside');
    assert.equal(existsSync(dataDir), false, 'no folders were created');
  } finally {
    await s.close();
  }
});

test('a database written by a newer Mercator is refused, named and left unchanged', async () => {
  const dataDir = join(root, 'newer');
  let s = await launch(APP, env(dataDir));
  await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
  await s.close();
  const db = join(dataDir, 'mercator.db');
  execFileSync('sqlite3', [
    db,
    "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) VALUES (29990101000000, 'future', '2999-01-01', 1, x'00', 0); PRAGMA wal_checkpoint(TRUNCATE);",
  ]);
  const before = readFileSync(db);
  s = await launch(APP, env(dataDir));
  try {
    const msg = await s.waitText('[data-testid="startup-error"]', (t) => t.length > 0);
    assert.match(msg, /newer version of Mercator/);
    assert.ok(msg.includes(db));
    assert.equal(await s.count('[data-testid="move-aside"]'), 0, 'a newer file is never offered for replacement');
  } finally {
    await s.close();
  }
  assert.ok(readFileSync(db).equals(before), 'file unchanged');
});

test('an unknown command-line option is explained and exits with status 2', () => {
  const r = spawnSync(APP, ['--frobnicate'], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /Unknown option --frobnicate/);
  const zh = spawnSync(APP, ['--data-dir'], { encoding: 'utf8', env: { ...process.env, LANG: 'zh_CN.UTF-8', LC_ALL: 'zh_CN.UTF-8' } });
  assert.equal(zh.status, 2);
  assert.match(zh.stderr, /请为 --data-dir 指定一个文件夹路径/);
});

test('create a product in Chinese and English, fix a bad GTIN, edit offline, find it, undo', async () => {
  const dataDir = join(root, 'editing');
  const s = await launch(APP, env(dataDir));
  const ENTER = '\uE007';
  try {
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
    await s.click('[data-testid="new-product"]');
    await s.type('[data-testid="np-title-zh"]', '便携式榨汁杯');
    await s.type('[data-testid="np-title-en"]', 'Portable Blender Cup');
    await s.type('[data-testid="np-brand"]', 'Voltaro');
    await s.type('[data-testid="np-sku"]', 'BLEND-001');
    await s.type('[data-testid="np-gtin"]', '6901234567893');
    await s.type('[data-testid="np-cost"]', '45.80');
    await s.click('[data-testid="np-create"]');
    const err = await s.waitText('[data-testid="new-product-error"]', (t) => t.length > 0);
    assert.match(err, /wrong check digit: the last digit should be 2/);
    await s.screenshot(join(SHOTS, 'new-product-error-en.png'));
    await s.clear('[data-testid="np-gtin"]');
    await s.type('[data-testid="np-gtin"]', '6901234567892');
    await s.click('[data-testid="np-create"]');
    await s.waitText('[data-testid="editor-heading"]', (t) => t === 'Portable Blender Cup');

    // Edit the English title: saved at once, recorded in the history
    await s.click('[data-testid="lang-tab-en-US"]');
    await s.clear('[data-testid="title-input"]');
    await s.type('[data-testid="title-input"]', 'Portable Blender Cup 350 ml' + ENTER);
    await s.waitText('[data-testid="editor-status"]', (t) => t.includes('Saved'));
    await s.waitText('[data-testid="history"]', (t) => t.includes('Portable Blender Cup 350 ml'));
    // Edit the variant: a taken SKU is refused, stock is saved
    await s.clear('[data-testid="sku-input"]');
    await s.type('[data-testid="sku-input"]', 'KIT-00001-BLK' + ENTER);
    await s.waitText('[data-testid="editor-error"]', (t) => t.includes('already used by another variant'));
    await s.clear('[data-testid="sku-input"]');
    await s.type('[data-testid="sku-input"]', 'BLEND-001-WHT' + ENTER);
    await s.waitText('[data-testid="history"]', (t) => t.includes('BLEND-001-WHT'));
    await s.clear('[data-testid="stock-input"]');
    await s.type('[data-testid="stock-input"]', '2.5' + ENTER);
    await s.waitText('[data-testid="editor-error"]', (t) => t.includes('Stock must be a whole number'));
    await s.clear('[data-testid="stock-input"]');
    await s.type('[data-testid="stock-input"]', '24' + ENTER);
    await s.waitText('[data-testid="history"]', (t) => /Stock \(BLEND-001-WHT\)\s*0\s*→\s*24/.test(t));
    await s.screenshot(join(SHOTS, 'editor-en.png'));

    // Back in the catalog, search in Chinese finds it with the new title
    await s.click('[data-testid="editor-back"]');
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('51 products'));
    await s.type('[data-testid="catalog-search"]', '榨汁杯');
    await s.waitText('[data-testid="catalog-table"] [data-row="0"]', (t) => t.includes('Portable Blender Cup 350 ml') && t.includes('BLEND-001-WHT'));

    // Undo the title change
    await s.click('[data-testid="catalog-table"] [data-row="0"]');
    await s.waitText('[data-testid="editor-heading"]', (t) => t === 'Portable Blender Cup 350 ml');
    const undoButtons = await s.findAll('[data-testid="undo"]');
    assert.equal(undoButtons.length, 3, 'title, sku and stock changes can be undone');
    // history is newest first: stock, sku, title
    await s.cmd('POST', `/element/${undoButtons[2]}/click`, {});
    await s.waitText('[data-testid="editor-heading"]', (t) => t === 'Portable Blender Cup');
    await s.waitText('[data-testid="history"]', (t) => t.includes('Undone'));
  } finally {
    await s.close();
  }
});

test('import a spreadsheet: preview with a per-row report, then import the valid rows', async () => {
  const dataDir = join(root, 'import');
  const file = join(root, 'products.csv');
  writeFileSync(
    file,
    '\uFEFFSKU;标题;Title (en-US);EAN;Cost\n' +
      'BOX-1;折叠收纳箱;"Folding Storage Box, 2 pack";4006381333931;29,90\n' +
      'HOOK-1;免打孔粘钩;Adhesive Hooks;;5\n' +
      'BAD-1;坏条码;Bad barcode;4006381333932;1\n',
  );
  const s = await launch(APP, env(dataDir));
  try {
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
    await s.click('[data-testid="import-button"]');
    await s.click('[data-testid="import-file"]');
    pickFile('Choose a spreadsheet to import', file);
    await s.waitText('[data-testid="import-valid"]', (t) => t === '2 of 3 rows are valid');
    assert.equal(await s.text('[data-testid="import-file-name"]'), 'products.csv');
    assert.match(await s.text('[data-testid="import-info"]'), /UTF-8 \(BOM\) · separator “;” · 3 rows/);
    const report = await s.text('[data-testid="import-report"]');
    assert.match(report, /Line 4/);
    assert.match(report, /last digit should be 1/);
    await s.screenshot(join(SHOTS, 'import-preview-en.png'));
    assert.equal(await s.exec('return document.querySelector(\'[data-testid="import-all"]\').disabled'), true);
    await s.click('[data-testid="import-valid-only"]');
    await s.waitText('[data-testid="import-done"]', (t) => t.includes('Imported 2 new variants; 1 rows skipped.'));
    await s.click('[data-testid="import"] .page-head button');
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('52 products'));
    await s.type('[data-testid="catalog-search"]', '收纳箱');
    await s.waitText('[data-testid="catalog-table"] [data-row="0"]', (t) => t.includes('Folding Storage Box, 2 pack'));

    // a second file names SKUs already in the catalog: it updates only the cells it fills, and can be undone
    const updates = join(root, 'updates.csv');
    writeFileSync(updates, 'SKU,Title (en-US),Stock\nBOX-1,"Folding Storage Box, 3 pack",40\nKIT-00001-BLK,,99\n');
    await s.click('[data-testid="import-button"]');
    await s.click('[data-testid="import-file"]');
    pickFile('Choose a spreadsheet to import', updates);
    await s.waitText('[data-testid="import-valid"]', (t) => t === '2 of 2 rows are valid');
    assert.match(await s.text('[data-testid="import-updates"]'), /2 rows name SKUs already in the catalog/);
    await s.screenshot(join(SHOTS, 'import-updates-en.png'));
    await s.click('[data-testid="import-all"]');
    await s.waitText('[data-testid="import-done"]', (t) => t.includes('updated 2 products'));
    await s.click('[data-testid="import-undo"]');
    await s.waitText('[data-testid="import-done"]', (t) => t.includes('were undone'));
    await s.click('[data-testid="import"] .page-head button');
    await s.clear('[data-testid="catalog-search"]');
    await s.type('[data-testid="catalog-search"]', 'BOX-1');
    await s.waitText('[data-testid="catalog-table"] [data-row="0"]', (t) => t.includes('Folding Storage Box, 2 pack'));

    // a seller's own export: units, currencies and languages in the headers
    // are understood; a column nothing maps to is shown, loudly; a row cut
    // short is an error, not a product with blanks
    const seller = join(root, 'seller-export.csv');
    writeFileSync(
      seller,
      'Seller SKU,Title,Titel (de),Cost (CNY),Weight (kg),Color,Notes\n' +
        'LAMP-1,Desk Lamp,Schreibtischlampe,45.80,0.35,Black,fragile\n' +
        'LAMP-2,Desk Lamp 2\n',
    );
    await s.click('[data-testid="import-button"]');
    await s.click('[data-testid="import-file"]');
    pickFile('Choose a spreadsheet to import', seller);
    await s.waitText('[data-testid="import-valid"]', (t) => t === '1 of 2 rows are valid');
    assert.match(await s.text('[data-testid="import-unmapped"]'), /1 column holds data but is not imported: .*“Notes”/);
    assert.match(await s.text('[data-testid="import-report"]'), /Line 3 .*2 cells but the header has 7/);
    const mapped = await s.exec('return [...document.querySelectorAll(\'[data-testid^="map-"]\')].map((e) => e.selectedOptions[0].textContent)');
    assert.deepEqual(mapped.slice(0, 6), ['SKU', 'Title: American English', 'Title: German (Germany)', 'Cost in CNY', 'Weight in kg', 'Attribute “colour”']);
    await s.screenshot(join(SHOTS, 'import-seller-export-en.png'));

    // a 2 GB file (sparse): refused by its size, the app stays alive
    const huge = join(root, 'huge.csv');
    execFileSync('truncate', ['-s', '2G', huge]);
    await s.click('[data-testid="import-file"]');
    pickFile('Choose a spreadsheet to import', huge);
    await s.waitText('[data-testid="import-error"]', (t) => t === 'The file is too large: 2048 MB (at most 1024 MB). Split it into smaller files.');
    await s.click('[data-testid="import"] .page-head button');

    // the same in Chinese
    await s.click('[data-nav="settings"]');
    await s.click('[data-testid="language-select"]');
    await s.click('[data-testid="language-select"] option[value="zh-CN"]');
    await s.waitText('[data-nav="catalog"]', (t) => t.includes('商品目录'));
    await s.click('[data-nav="catalog"]');
    await s.click('[data-testid="import-button"]');
    await s.click('[data-testid="import-file"]');
    pickFile('选择要导入的表格', seller);
    await s.waitText('[data-testid="import-unmapped"]', (t) => t.includes('1 列含有数据但不会被导入') && t.includes('“Notes”'));
    assert.match(await s.text('[data-testid="import-report"]'), /此行有 2 个单元格，而表头有 7 个/);
    await s.screenshot(join(SHOTS, 'import-seller-export-zh.png'));
  } finally {
    await s.close();
  }
});

test('market rules as badges, a channel conflict settled per field, bulk edit with one undo, export', async () => {
  const dataDir = join(root, 'markets');
  const s = await launch(APP, env(dataDir));
  try {
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
    // only products with rule problems: the demo has no Japanese titles for its Shopify JP store
    await s.click('[data-testid="filter-issues"]');
    await s.waitText('[data-testid="catalog-matches"]', (t) => t.includes('50'));
    await s.click('[data-testid="filter-issues"]');
    // by market: every demo product is listed in Japan
    await s.exec(`const el = document.querySelector('[data-testid="filter-market"]'); el.value = 'JP'; el.dispatchEvent(new Event('change'));`);
    await s.waitText('[data-testid="catalog-matches"]', (t) => t === '50 matching products');
    await s.exec(`const el = document.querySelector('[data-testid="filter-market"]'); el.value = ''; el.dispatchEvent(new Event('change'));`);

    // open the product whose Amazon.de copy was changed on Amazon
    await s.type('[data-testid="catalog-search"]', 'Knoblauchpresse');
    await s.click('[data-testid="catalog-table"] [data-row="0"]');
    // one tab per channel; the one with the channel's changes opens first
    await s.waitText('[data-testid="market-tabs"]', (t) => t.includes('Amazon.de') && t.includes('Hearthly Store (Shopify)'));
    const conflict = await s.waitText('[data-testid="conflict"]', (t) => t.includes('Amazon.de changed this listing'));
    assert.match(conflict, /last synced/i);
    assert.match(await s.text('[data-testid="markets"]'), /Buyers here read the German/);
    await s.screenshot(join(SHOTS, 'editor-markets-en.png'));
    await s.click('[data-testid="keep-theirs"]');
    await s.click('[data-testid="conflict-apply"]');
    await s.waitText('[data-testid="history"]', (t) => t.includes('Market content'));
    assert.equal((await s.findAll('[data-testid="conflict"]')).length, 0, 'settled');
    // the Japanese store: no Japanese texts yet, shown as a rule badge with its reason
    await s.click('[data-testid="market-tab"][data-channel="Hearthly Store (Shopify)"]');
    const jp = await s.waitText('[data-testid="markets"]', (t) => t.includes("No title in the market's language (ja)"));
    assert.match(jp, /No texts in the market's language \(ja\)/);
    // per-market keywords for Amazon.com, saved at once and recorded
    await s.click('[data-testid="market-tab"][data-channel="Amazon.com"]');
    await s.waitText('[data-testid="markets"]', (t) => /Buyers here read the .*English/.test(t));
    await s.click('[data-testid="market"] [data-testid="more-overrides"] summary');
    await s.type('[data-testid="market"] [data-testid="override-keywords"]', 'garlic crusher us-only\n');
    await s.exec(`document.querySelector('[data-testid="market"] [data-testid="override-keywords"]').blur()`);
    await s.waitText('[data-testid="more-overrides"] summary', (t) => t.includes('overridden'));
    await s.waitText('[data-testid="history"]', (t) => t.includes('garlic crusher us-only'));
    await s.screenshot(join(SHOTS, 'editor-market-overrides-en.png'));

    // bulk: replace in the English titles of two products, then undo it all at once
    await s.click('[data-testid="editor-back"]');
    await s.clear('[data-testid="catalog-search"]');
    await s.type('[data-testid="catalog-search"]', 'Silicone');
    await s.waitText('[data-testid="catalog-table"] [data-row="1"]', (t) => t.includes('Silicone'));
    await s.click('[data-testid="catalog-table"] [data-row="0"] [data-testid="row-select"]');
    await s.click('[data-testid="catalog-table"] [data-row="1"] [data-testid="row-select"]');
    await s.waitText('[data-testid="bulk-count"]', (t) => t.includes('2 selected'));
    await s.type('[data-testid="bulk-find"]', 'Silicone');
    await s.type('[data-testid="bulk-value"]', 'Food-grade Silicone');
    await s.exec(`const el = document.querySelector('[data-testid="bulk-panel"] select:nth-of-type(2)'); el.value = 'en-US'; el.dispatchEvent(new Event('change'));`);
    await s.click('[data-testid="bulk-apply"]');
    await s.waitText('[data-testid="catalog-notice"]', (t) => t.includes('in 2 products'));
    await s.waitText('[data-testid="catalog-table"]', (t) => t.includes('Food-grade Silicone'));
    await s.screenshot(join(SHOTS, 'catalog-bulk-en.png'));
    await s.click('[data-testid="bulk-undo"]');
    await s.waitText('[data-testid="catalog-notice"]', (t) => t.includes('undone'));
    await s.waitText('[data-testid="catalog-table"]', (t) => !t.includes('Food-grade Silicone'));

    // export what the search shows to CSV
    await s.click('[data-testid="bulk-panel"] button.secondary');
    await s.click('[data-testid="export-csv"]');
    const notice = await s.waitText('[data-testid="catalog-notice"]', (t) => t.includes('Exported'));
    const path = notice.match(/(\/\S+\.csv)/)?.[1];
    assert.ok(path && existsSync(path), `export written: ${notice}`);
    const csv = readFileSync(path, 'utf8');
    assert.ok(csv.startsWith('\uFEFFparent,sku,'), 'import-compatible header');
    assert.match(csv, /Silicone/);

    // the same editor in Chinese
    await s.click('[data-nav="settings"]');
    await s.click('[data-testid="language-select"]');
    await s.click('[data-testid="language-select"] option[value="zh-CN"]');
    await s.waitText('[data-nav="catalog"]', (t) => t.includes('商品目录'));
    await s.click('[data-nav="catalog"]');
    await s.type('[data-testid="catalog-search"]', '硅胶锅铲');
    await s.click('[data-testid="catalog-table"] [data-row="0"]');
    await s.click('[data-testid="market-tab"][data-channel="Hearthly Store (Shopify)"]');
    await s.waitText('[data-testid="markets"]', (t) => t.includes('缺少该市场语言的标题'));
    await s.screenshot(join(SHOTS, 'editor-markets-zh.png'));
  } finally {
    await s.close();
  }
});

test('pricing: reprice, why this price, a promotion, review and apply with undo, rates and settings, in both languages', async () => {
  const dataDir = join(root, 'pricing');
  const s = await launch(APP, env(dataDir));
  try {
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
    await s.click('[data-nav="pricing"]');
    await s.waitText('[data-testid="pricing-status"]', (t) => t.includes('Prices have not been computed yet'));
    await s.click('[data-testid="reprice"]');
    const done = await s.waitText('[data-testid="pricing-notice"]', (t) => t.includes('prices computed'), 20000);
    assert.match(done, /450 prices computed, 0 cannot be priced/);
    // the matrix: a cell per channel with price and margin
    await s.waitText('[data-testid="pricing-matrix"] [data-row="0"]', (t) => /€|\$|¥/.test(t) && /%/.test(t));
    await s.screenshot(join(SHOTS, 'pricing-matrix-en.png'));
    // why this price, on Amazon.de
    await s.click('[data-testid="pricing-matrix"] [data-row="0"] [data-testid="matrix-cell"][data-channel="Amazon.de"]');
    const steps = await s.waitText('[data-testid="breakdown-steps"]', (t) => t.includes('Landed cost'));
    assert.match(steps, /Purchase cost/);
    assert.match(steps, /VAT 19% is included/);
    assert.match(steps, /Referral fee 15%/);
    assert.match(steps, /Rounded up to the ending \.99/);
    assert.match(await s.text('[data-testid="breakdown-summary"]'), /€\d+\.99 · profit €[\d.]+ · margin \d/);
    await s.screenshot(join(SHOTS, 'pricing-why-en.png'));
    // the reverse: profit at a price typed in
    await s.type('[data-testid="try-price"]', '99.99');
    await s.click('[data-testid="try-price-run"]');
    await s.waitText('[data-testid="breakdown-summary"]', (t) => t.startsWith('€99.99'));
    // a deep promotion warns (90 % off the €99.99 just tried: a loss)
    await s.exec(`const el = document.querySelector('[data-testid="promo-value"]'); el.value = '90'; el.dispatchEvent(new Event('input', { bubbles: true }));`);
    await s.click('[data-testid="promo-run"]');
    await s.waitText('[data-testid="promo-warning"]', (t) => t.includes('loses money'));
    assert.match(await s.text('[data-testid="promo-result"]'), /With the promotion: €10\.00/);
    await s.click('[data-testid="breakdown-close"]');

    // review what would change, apply, undo
    await s.click('[data-testid="pricing-tab-review"]');
    const count = await s.waitText('[data-testid="review-count"]', (t) => /\d+ listings would change/.test(t));
    const n = Number(count.match(/(\d+)/)[1]);
    assert.ok(n > 0);
    await s.waitText('[data-testid="review-table"] [data-row="0"]', (t) => /%/.test(t));
    await s.screenshot(join(SHOTS, 'pricing-review-en.png'));
    await s.click('[data-testid="apply-prices"]');
    await s.waitText('[data-testid="pricing-notice"]', (t) => t.includes(`${n} listing prices changed`));
    await s.waitText('[data-testid="sync-status"]', (t) => /waiting to be sent|to send/i.test(t) || /\d/.test(t));
    await s.click('[data-testid="pricing-undo"]');
    await s.waitText('[data-testid="pricing-notice"]', (t) => t.includes('undone'));

    // rates: a malformed ECB file changes nothing; the real format imports
    await s.click('[data-testid="pricing-tab-rates"]');
    await s.waitText('[data-testid="rates-table"]', (t) => t.includes('CNY') && t.includes('ECB'));
    const bad = join(root, 'bad-ecb.xml');
    writeFileSync(bad, '<gesmes:Envelope><Cube><Cube time="2026-12-01"><Cube currency="USD" rate="x"/></Cube></Cube></gesmes:Envelope>');
    await s.type('[data-testid="ecb-file"]', bad);
    await s.waitText('[data-testid="rates-error"]', (t) => t.includes('not a readable ECB reference-rate file'));
    const good = join(root, 'eurofxref-daily.xml');
    const sample = readFileSync(resolve('../../crates/mercator-pricing/data/eurofxref-daily-sample.xml'), 'utf8');
    writeFileSync(good, sample.replace("time='2026-11-30'", `time='${new Date().toISOString().slice(0, 10)}'`).replace("rate='1.0566'", "rate='1.0600'"));
    await s.type('[data-testid="ecb-file"]', good);
    await s.waitText('[data-testid="rates-notice"]', (t) => /Imported \d+ rates of 1 days/.test(t));
    await s.waitText('[data-testid="rates-table"] tr[data-currency="USD"]', (t) => t.includes('1.06') && t.includes('ECB'));
    await s.screenshot(join(SHOTS, 'pricing-rates-en.png'));

    // settings: a negative fee is refused with the field named
    await s.click('[data-testid="pricing-tab-channels"]');
    await s.waitText('[data-testid="pricing-channels"]', (t) => t.includes('Channel fees'));
    await s.exec(`const el = document.querySelector('[data-testid="payment-pct"]'); el.value = '-3'; el.dispatchEvent(new Event('input', { bubbles: true }));`);
    await s.click('[data-testid="policy-save"]');
    await s.waitText('[data-testid="policy-error"]', (t) => t.includes('“Payment processing (%)” cannot be negative'));
    await s.screenshot(join(SHOTS, 'pricing-channels-en.png'));

    // the same in Chinese
    await s.click('[data-nav="settings"]');
    await s.click('[data-testid="language-select"]');
    await s.click('[data-testid="language-select"] option[value="zh-CN"]');
    await s.waitText('[data-nav="pricing"]', (t) => t.includes('定价'));
    await s.click('[data-nav="pricing"]');
    await s.waitText('[data-testid="pricing-matrix"] [data-row="0"]', (t) => /%/.test(t));
    await s.click('[data-testid="pricing-matrix"] [data-row="0"] [data-testid="matrix-cell"][data-channel="Amazon.de"]');
    const zh = await s.waitText('[data-testid="breakdown-steps"]', (t) => t.includes('到岸成本'));
    assert.match(zh, /价格已含 VAT/);
    await s.screenshot(join(SHOTS, 'pricing-why-zh.png'));
  } finally {
    await s.close();
  }
});

test('connect an Amazon account (secrets in the keyring), sync its orders, read the log, in both languages', async () => {
  const xtask = process.env.MERCATOR_XTASK;
  assert.ok(xtask && existsSync(xtask), 'the xtask binary serves the fake SP-API');
  const { spawn } = await import('node:child_process');
  const server = spawn(xtask, ['fake-amazon', '--orders', '120'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise((ok, fail) => {
      server.stdout.once('data', (d) => ok(String(d).trim().split('\n')[0]));
      server.once('exit', (c) => fail(new Error(`fake server exited ${c}`)));
    });
    const dataDir = join(root, 'accounts');
    const s = await launch(APP, env(dataDir));
    try {
      await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
      await s.click('[data-nav="settings"]');
      await s.waitText('[data-testid="accounts"]', (t) => t.includes('Channel accounts'));
      await s.click('[data-testid="account-add"]');
      await s.type('[data-testid="account-name"]', 'Amazon.de API');
      await s.type('[data-testid="account-client-id"]', 'amzn1.application-oa2-client.test');
      await s.type('[data-testid="account-seller-id"]', 'A2SELLERTEST');
      await s.type('[data-testid="account-client-secret"]', 'test-client-secret');
      await s.type('[data-testid="account-refresh-token"]', 'Atzr|test-refresh-token');
      await s.click('[data-testid="account-form"] details summary');
      await s.exec(`for (const [id, v] of [['account-endpoint', ${JSON.stringify(url)}], ['account-token-url', ${JSON.stringify(url + '/auth/o2/token')}]]) { const el = document.querySelector('[data-testid="' + id + '"]'); el.value = v; el.dispatchEvent(new Event('input', { bubbles: true })); }`);
      await s.click('[data-testid="account-save"]');
      await s.waitText('[data-testid="accounts-notice"]', (t) => t.includes('is connected'));
      const row = '[data-testid="accounts-table"] tr[data-account="Amazon.de API"]';
      await s.waitText(`${row} [data-testid="account-status"]`, (t) => t.includes('not synced yet'));
      const caps = await s.text(`${row} [data-testid="account-capabilities"]`);
      assert.match(caps, /Orders\s*Stock\s*Prices & texts\s*Tracking\s*Messages/);
      await s.click(`${row} [data-testid="account-test"]`);
      await s.waitText('[data-testid="accounts-notice"]', (t) => t.includes('the connection works'));
      await s.click(`${row} [data-testid="account-sync"]`);
      await s.waitText('[data-testid="accounts-notice"]', (t) => t.includes('120 orders fetched, 120 new'), 20000);
      await s.waitText(`${row} [data-testid="account-orders"]`, (t) => t === '120 orders');
      await s.waitText(`${row} [data-testid="account-status"]`, (t) => t.includes('synced'));
      await s.click(`${row} [data-testid="account-log"]`);
      await s.waitText('[data-testid="account-log-list"]', (t) => /100 fetched, 100 new/.test(t));
      await s.screenshot(join(SHOTS, 'accounts-en.png'));
      // a second sync finds nothing new and duplicates nothing
      await s.click(`${row} [data-testid="account-sync"]`);
      await s.waitText('[data-testid="accounts-notice"]', (t) => / 0 new/.test(t), 20000);
      await s.waitText(`${row} [data-testid="account-orders"]`, (t) => t === '120 orders');
      // the orders arrived in the orders list: 36 demo orders + 120
      await s.click('[data-nav="orders"]');
      await s.waitText('[data-testid="orders-total"]', (t) => t.includes('156'));
      // by market: both Amazon.de accounts (the demo one's 12 and these 120)
      await setValue(s, '[data-testid="orders-market"]', 'DE', 'change');
      await s.waitText('[data-testid="orders-total"]', (t) => t === '132 orders');
      await setValue(s, '[data-testid="orders-market"]', '', 'change');
      await s.waitText('[data-testid="orders-total"]', (t) => t.includes('156'));
      await s.exec(`const el = document.querySelector('[data-testid="orders-channel"]'); el.value = [...el.options].find((o) => o.text.startsWith('Amazon.de API')).value; el.dispatchEvent(new Event('change'));`);
      await s.waitText('[data-testid="orders-total"]', (t) => t === '120 orders');
      await s.click('[data-testid="orders-table"] [data-row="0"]');
      const detail = await s.waitText('[data-testid="order-detail"]', (t) => t.includes('Timeline'));
      assert.match(detail, /Ship to/);
      assert.match(await s.text('[data-testid="order-money"]'), /Total\s*€\d/);
      assert.ok((await s.count('[data-testid="order-lines"] tbody tr')) >= 1);
      await s.screenshot(join(SHOTS, 'order-detail-en.png'));
      // ship an Amazon order from its page: the tracking goes to Amazon (the fake SP-API) at once
      await setValue(s, '[data-testid="orders-status"]', 'unshipped', 'change');
      await s.waitText('[data-testid="orders-total"]', (t) => !t.startsWith('120 '));
      await s.click('[data-testid="orders-table"] [data-row="0"]');
      await s.click('[data-testid="order-mark-shipped"]');
      await setValue(s, '[data-testid="ship-carrier"]', 'DHL_DE', 'change');
      await s.type('[data-testid="ship-tracking"]', '00340434161094042557');
      await s.click('[data-testid="ship-submit"]');
      await s.waitText('[data-testid="orders-notice"]', (t) => t.includes('1 order marked shipped; the tracking goes to the channel now'));
      await s.waitText('[data-testid="order-shipments"]', (t) => t.includes('00340434161094042557') && t.includes('Sent to the channel'), 20000);
      await s.screenshot(join(SHOTS, 'order-shipped-amazon-en.png'));
      await setValue(s, '[data-testid="orders-status"]', '', 'change');
      // secrets are in the keyring, not in the shop file
      const db = readFileSync(join(dataDir, 'mercator.db')).toString('latin1');
      const wal = existsSync(join(dataDir, 'mercator.db-wal')) ? readFileSync(join(dataDir, 'mercator.db-wal')).toString('latin1') : '';
      for (const secret of ['test-client-secret', 'Atzr|test-refresh-token']) {
        assert.ok(!db.includes(secret) && !wal.includes(secret), `${secret} not in SQLite`);
      }
      // the account's FBA stock came with the sync: a read-only column in Stock, not in "available"
      await s.click('[data-nav="stock"]');
      await setValue(s, '[data-testid="stock-search"]', 'KIT-00001-BLK');
      await s.waitText('[data-testid="stock-table"] [data-row="0"] [data-testid="stock-fba"]', (t) => t === '40');
      assert.match(await s.text('[data-testid="stock-table"] .vhead'), /FBA · Amazon\.de API/i);
      await s.screenshot(join(SHOTS, 'stock-fba-en.png'));
      await setValue(s, '[data-testid="stock-search"]', '');
      await s.click('[data-nav="settings"]');
      await s.waitText(`${row} [data-testid="account-status"]`, (t) => t.includes('synced'));
      await s.exec(`document.querySelector('${row} [data-testid="account-log"]').scrollIntoView({ block: 'center' })`);
      await s.click(`${row} [data-testid="account-log"]`);
      await s.waitText('[data-testid="account-log-list"]', (t) => t.includes('FBA stock read: 3 SKUs at Amazon, 2 of them in the catalog'));
      await s.click(`${row} [data-testid="account-log"]`);
      // list a product on the new account, set a variant live and give it a German title:
      // its quantity and its text reach Amazon (the fake SP-API) within seconds
      await s.click('[data-nav="catalog"]');
      await s.type('[data-testid="catalog-search"]', 'Silicone Spatula');
      await s.click('[data-testid="catalog-table"] [data-row="0"]');
      const offered = `return [...document.querySelectorAll('[data-testid="list-on-channel"] option')].some((o) => o.text.startsWith('Amazon.de API'))`;
      for (let k = 0; k < 50 && !(await s.exec(offered)); k++) await new Promise((r) => setTimeout(r, 100));
      await s.exec(`const el = document.querySelector('[data-testid="list-on-channel"]'); el.value = [...el.options].find((o) => o.text.startsWith('Amazon.de API')).value; el.dispatchEvent(new Event('change'));`);
      await s.click('[data-testid="list-on-add"]');
      await s.click('[data-testid="market-tab"][data-channel="Amazon.de API"]');
      const first = '[data-testid="markets"] [data-testid="market"]';
      await s.waitText(first, (t) => t.includes('KIT-00001'));
      const sku = (await s.text(`${first} .mono`)).trim();
      assert.match(await s.text(first), /Not priced yet/);
      await setValue(s, `${first} [data-testid="listing-status"]`, 'live', 'change');
      await s.exec(`const el = document.querySelector('${first} [data-testid="override-title"]'); el.value = 'Silikon-Pfannenwender-Set, 5-teilig'; el.dispatchEvent(new Event('change', { bubbles: true }));`);
      await s.waitText('[data-testid="history"]', (t) => t.includes('Silikon-Pfannenwender-Set'));
      await s.screenshot(join(SHOTS, 'editor-list-on-en.png'));
      let patches = [];
      for (let k = 0; k < 60; k++) {
        patches = await (await fetch(`${url}/_fake/patches`)).json();
        const text = patches.find((p) => p.sku === sku && p.body.patches[0].path === '/attributes/item_name');
        const qty = patches.find((p) => p.sku === sku && p.body.patches[0].path === '/attributes/fulfillment_availability');
        if (text && qty) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      const text = patches.find((p) => p.sku === sku && p.body.patches[0].path === '/attributes/item_name');
      assert.ok(text, `the title reached Amazon: ${JSON.stringify(patches).slice(0, 300)}`);
      assert.equal(text.body.patches[0].value[0].value, 'Silikon-Pfannenwender-Set, 5-teilig');
      assert.equal(text.body.patches[0].value[0].language_tag, 'de_DE');
      assert.ok(patches.some((p) => p.sku === sku && p.body.patches[0].path === '/attributes/fulfillment_availability'), 'and its quantity');
      assert.ok(!patches.some((p) => p.sku !== sku), 'nothing for the variants still in draft');
      // the catalog's selection listed on the account at once (variants already there are kept)
      await s.click('[data-testid="editor-back"]');
      await setValue(s, '[data-testid="catalog-search"]', '');
      await s.waitText('[data-testid="catalog-table"] [data-row="1"]', (t) => t.trim().length > 0);
      await s.click('[data-testid="catalog-table"] [data-row="0"] [data-testid="row-select"]');
      await s.click('[data-testid="catalog-table"] [data-row="1"] [data-testid="row-select"]');
      await setValue(s, '[data-testid="bulk-kind"]', 'list-on', 'change');
      await s.exec(`const el = document.querySelector('[data-testid="bulk-channel"]'); el.value = [...el.options].find((o) => o.text.startsWith('Amazon.de API')).value; el.dispatchEvent(new Event('change', { bubbles: true }));`);
      await s.click('[data-testid="bulk-apply"]');
      await s.waitText('[data-testid="catalog-notice"]', (t) => /\d+ listings added as drafts for 2 products/.test(t));
      // the account's own listings, linked by SKU: the other demo SKUs Amazon sells join, the one it lacks is named
      await s.click('[data-nav="settings"]');
      await s.click(`${row} [data-testid="account-link"]`);
      const linked = await s.waitText('[data-testid="accounts-notice"]', (t) => t.includes('listings read'), 20000);
      assert.match(linked, /6 listings read, \d+ linked with the catalog/);
      await s.screenshot(join(SHOTS, 'accounts-linked-en.png'));
      // wrong credentials: a translated error, nothing stored half-way
      await s.click('[data-nav="settings"]');
      await s.click('[data-testid="account-add"]');
      await s.type('[data-testid="account-name"]', 'Wrong key');
      await s.type('[data-testid="account-client-id"]', 'amzn1.application-oa2-client.test');
      await s.type('[data-testid="account-client-secret"]', 'not-the-secret');
      await s.type('[data-testid="account-refresh-token"]', 'Atzr|nope');
      await s.click('[data-testid="account-form"] details summary');
      await s.exec(`for (const [id, v] of [['account-endpoint', ${JSON.stringify(url)}], ['account-token-url', ${JSON.stringify(url + '/auth/o2/token')}]]) { const el = document.querySelector('[data-testid="' + id + '"]'); el.value = v; el.dispatchEvent(new Event('input', { bubbles: true })); }`);
      await s.click('[data-testid="account-save"]');
      const wrong = '[data-testid="accounts-table"] tr[data-account="Wrong key"]';
      await s.click(`${wrong} [data-testid="account-test"]`);
      await s.waitText('[data-testid="accounts-error"]', (t) => t.includes('refused the credentials'));
      // in Chinese
      await s.click('[data-testid="language-select"]');
      await s.click('[data-testid="language-select"] option[value="zh-CN"]');
      await s.waitText('[data-testid="accounts"]', (t) => t.includes('渠道账户') && t.includes('120 个订单'));
      await s.screenshot(join(SHOTS, 'accounts-zh.png'));
      await s.click('[data-nav="stock"]');
      await setValue(s, '[data-testid="stock-search"]', 'KIT-00001');
      await s.waitText('[data-testid="stock-table"] [data-row="1"] [data-testid="stock-fba"]', (t) => /^\d+$/.test(t));
      assert.match(await s.text('[data-testid="stock-table"] .vhead'), /FBA · Amazon\.de API/i);
      await s.screenshot(join(SHOTS, 'stock-fba-zh.png'));
      await s.click('[data-nav="catalog"]');
      await setValue(s, '[data-testid="catalog-search"]', 'KIT-00001');
      await s.waitText('[data-testid="catalog-table"] [data-row="0"]', (t) => t.includes('硅胶'));
      await s.click('[data-testid="catalog-table"] [data-row="0"]');
      await s.click('[data-testid="market-tab"][data-channel="Amazon.de API"]');
      await s.waitText('[data-testid="markets"]', (t) => t.includes('尚未定价'));
      await s.screenshot(join(SHOTS, 'editor-list-on-zh.png'));
    } finally {
      await s.close();
    }
  } finally {
    server.kill();
  }
});

test('mark orders shipped: a pasted list checked whole, fixed, a selection scanned, shipments on the order page, in both languages', async () => {
  const s = await launch(APP, env(join(root, 'shipping')));
  try {
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
    await s.click('[data-nav="orders"]');
    await setValue(s, '[data-testid="orders-status"]', 'unshipped', 'change');
    const before = Number((await s.waitText('[data-testid="orders-total"]', (t) => /^\d+ orders$/.test(t) && !t.startsWith('36 '))).split(' ')[0]);
    assert.ok(before >= 3, `${before} orders to ship in the demo shop`);
    const number = (k) => s.exec(`return document.querySelectorAll('[data-testid="orders-table"] .vrow')[${k}].querySelectorAll('.mono')[0].textContent`);
    const [n0, n1] = [await number(0), await number(1)];
    // a pasted list with a mistyped number: nothing is saved, the line is named
    await s.click('[data-testid="orders-paste-list"]');
    await setValue(s, '[data-testid="ship-carrier"]', 'UPS', 'change');
    await setValue(s, '[data-testid="ship-list"]', `${n0}\t1Z999AA10123456784\n${n1}\t1Z999`);
    await s.click('[data-testid="ship-submit"]');
    const problems = await s.waitText('[data-testid="ship-problems"]', (t) => t.includes('nothing was saved'));
    assert.match(problems, /Line 2: “1Z999” is not a UPS tracking number/);
    await s.screenshot(join(SHOTS, 'ship-list-problems-en.png'));
    await setValue(s, '[data-testid="ship-list"]', `${n0}\t1Z999AA10123456784\n${n1}, 1Z 999 AA1 01 2345 6785`);
    await s.click('[data-testid="ship-submit"]');
    await s.waitText('[data-testid="orders-notice"]', (t) => t.includes('2 orders marked shipped.'));
    await s.waitText('[data-testid="orders-total"]', (t) => t === `${before - 2} orders`);
    // choose an order in the list and scan its tracking number (Enter moves on)
    await s.click('[data-testid="orders-table"] [data-row="0"] [data-testid="order-select"]');
    await s.waitText('[data-testid="orders-bulk"]', (t) => t.includes('1 selected'));
    await s.click('[data-testid="orders-ship-selected"]');
    await setValue(s, '[data-testid="ship-carrier"]', 'CHINA_POST', 'change');
    await s.type('[data-testid="ship-tracking"]', 'RR123456785CN\n');
    await s.screenshot(join(SHOTS, 'ship-selected-en.png'));
    await s.click('[data-testid="ship-submit"]');
    await s.waitText('[data-testid="orders-notice"]', (t) => t.includes('1 order marked shipped.'));
    await s.waitText('[data-testid="orders-total"]', (t) => t === `${before - 3} orders`);
    // the order's page: shipped, its package recorded (demo channels are not connected)
    await setValue(s, '[data-testid="orders-status"]', 'shipped', 'change');
    await s.type('[data-testid="orders-search"]', n0);
    await s.waitText('[data-testid="orders-total"]', (t) => t === '1 order');
    await s.click('[data-testid="orders-table"] [data-row="0"]');
    const shipments = await s.waitText('[data-testid="order-shipments"]', (t) => t.includes('1Z999AA10123456784'));
    assert.match(shipments, /UPS/);
    assert.match(shipments, /Recorded in Mercator/);
    assert.equal(await s.count('[data-testid="order-mark-shipped"]'), 0, 'a shipped order offers no second shipment');
    await s.screenshot(join(SHOTS, 'order-shipment-en.png'));
    // in Chinese
    await s.click('[data-nav="settings"]');
    await s.click('[data-testid="language-select"]');
    await s.click('[data-testid="language-select"] option[value="zh-CN"]');
    await s.click('[data-nav="orders"]');
    await s.click('[data-testid="orders-paste-list"]');
    await setValue(s, '[data-testid="ship-list"]', `NO-SUCH-ORDER\t1Z999AA10123456784\n${n0}\tRR123456784CN`);
    await setValue(s, '[data-testid="ship-carrier"]', 'CHINA_POST', 'change');
    await s.click('[data-testid="ship-submit"]');
    const zh = await s.waitText('[data-testid="ship-problems"]', (t) => t.includes('尚未保存任何内容'));
    assert.match(zh, /第 1 行：店铺里没有订单 NO-SUCH-ORDER/);
    assert.match(zh, /第 2 行：运单号 RR123456784CN 的校验位不对/);
    await s.screenshot(join(SHOTS, 'ship-list-problems-zh.png'));
  } finally {
    await s.close();
  }
});

test('stock: counts per warehouse, reservations from open orders, an oversell flagged, a 3PL warehouse, in both languages', async () => {
  const s = await launch(APP, env(join(root, 'stock')));
  try {
    await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('150 variants'));
    await s.click('[data-nav="stock"]');
    await s.waitText('[data-testid="stock-total"]', (t) => t === '150 variants');
    // the first variant that open orders reserve
    // (the rows arrive after the total: look until they are there)
    let k = -1;
    for (let n = 0; n < 50 && k < 0; n++) {
      k = await s.exec(`const r = [...document.querySelectorAll('[data-testid="stock-table"] .vrow')]; return r.findIndex((x) => Number(x.querySelector('[data-testid="stock-reserved"]')?.textContent) > 0);`);
      if (k < 0) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(k >= 0, 'open demo orders reserve stock');
    const rowCss = `[data-testid="stock-table"] [data-row="${k}"]`;
    const sku = await s.exec(`return document.querySelector('${rowCss} .mono').textContent`);
    const reserved = Number(await s.text(`${rowCss} [data-testid="stock-reserved"]`));
    await s.type('[data-testid="stock-search"]', sku);
    await s.waitText('[data-testid="stock-total"]', (t) => t === '1 variant');
    const row = '[data-testid="stock-table"] [data-row="0"]';
    // a count of zero where orders wait: oversold, flagged, counted in the header
    await setValue(s, `${row} [data-testid="stock-count"][data-warehouse="default"]`, '0', 'change');
    await s.waitText('[data-testid="stock-notice"]', (t) => t.includes(`${sku} counted`));
    await s.waitText(`${row} [data-testid="stock-flag"]`, (t) => t === `Oversold by ${reserved}`);
    await s.waitText('[data-testid="stock-oversold"]', (t) => /1 variant has more on open orders than in stock/.test(t));
    assert.equal(await s.text(`${row} [data-testid="stock-available"]`), '0');
    // a bad count is refused, translated
    await setValue(s, `${row} [data-testid="stock-count"][data-warehouse="default"]`, '-3', 'change');
    await s.waitText('[data-testid="stock-error"]', (t) => t.includes('whole number of 0 or more'));
    // a 3PL warehouse: its count covers the orders
    await s.click('[data-testid="warehouse-add"]');
    await s.type('[data-testid="warehouse-name"]', 'Los Angeles 3PL');
    await s.type('[data-testid="warehouse-country"]', 'us');
    await s.click('[data-testid="warehouse-save"]');
    await s.waitText('[data-testid="warehouses"]', (t) => t.includes('Los Angeles 3PL · 3PL / overseas warehouse · US'));
    await s.waitText('[data-testid="stock-table"] [role="row"]', (t) => t.toUpperCase().includes('LOS ANGELES 3PL'));
    const la = `${row} [data-testid="stock-count"]:not([data-warehouse="default"])`;
    await setValue(s, la, String(reserved + 10), 'change');
    await s.waitText(`${row} [data-testid="stock-available"]`, (t) => t === '10');
    assert.equal(await s.count(`${row} [data-testid="stock-flag"]`), 0);
    await s.screenshot(join(SHOTS, 'stock-en.png'));
    await s.click('[data-nav="settings"]');
    await s.click('[data-testid="language-select"]');
    await s.click('[data-testid="language-select"] option[value="zh-CN"]');
    await s.click('[data-nav="stock"]');
    await s.clear('[data-testid="stock-search"]');
    await s.waitText('[data-testid="stock-total"]', (t) => t === '共 150 个变体');
    await s.waitText('[data-testid="stock-table"] [role="row"]', (t) => t.includes('主仓') && t.includes('可售'));
    await s.screenshot(join(SHOTS, 'stock-zh.png'));
  } finally {
    await s.close();
  }
});

/** A loopback TCP relay to `target` that can be cut (connection refused, as offline) and restored on the same port. */
async function relay(target) {
  const net = await import('node:net');
  const to = Number(new URL(target).port);
  const sockets = new Set();
  let server = null;
  let port = 0;
  const up = () =>
    new Promise((ok) => {
      server = net.createServer((c) => {
        const u = net.connect(to, '127.0.0.1');
        for (const x of [c, u]) {
          sockets.add(x);
          x.on('error', () => {});
          x.on('close', () => { c.destroy(); u.destroy(); sockets.delete(x); });
        }
        c.pipe(u);
        u.pipe(c);
      });
      server.listen(port, '127.0.0.1', () => {
        port = server.address().port;
        ok(`http://127.0.0.1:${port}`);
      });
    });
  const down = () =>
    new Promise((ok) => {
      for (const x of sockets) x.destroy();
      sockets.clear();
      server.close(() => ok());
    });
  const close = async () => {
    if (server.listening) await down();
  };
  return { url: await up(), up, down, close };
}

test('Shopee: connect, sync through access-token expiry and a restart, a buyer\'s chat read and answered, link and price in rupiah, go offline and come back, in both languages', async () => {
  const xtask = process.env.MERCATOR_XTASK;
  assert.ok(xtask && existsSync(xtask), 'the xtask binary serves the fake Shopee shop');
  const { spawn } = await import('node:child_process');
  // access tokens live 6 s here (4 h on Shopee): every later sync must refresh, and the
  // refresh token is single-use, so the rotated one has to be kept (in the keyring)
  const server = spawn(xtask, ['fake-shopee', '--orders', '40', '--access-life', '6'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let net = null;
  try {
    // the fake prints its address, then every price the shop accepts ("price <item>:<model> <text>")
    const said = [];
    const target = await new Promise((ok, fail) => {
      let buf = '';
      server.stdout.on('data', (d) => {
        buf += String(d);
        const lines = buf.split('\n');
        buf = lines.pop();
        for (const l of lines) said.push(l.trim());
        if (said.length > 0) ok(said[0]);
      });
      server.once('exit', (c) => fail(new Error(`fake server exited ${c}`)));
    });
    net = await relay(target);
    const dataDir = join(root, 'shopee');
    const row = '[data-testid="accounts-table"] tr[data-account="Shopee ID"]';
    let s = await launch(APP, env(dataDir));
    try {
      await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
      await s.click('[data-nav="settings"]');
      await s.click('[data-testid="account-add"]');
      await setValue(s, '[data-testid="account-kind"]', 'shopee', 'change');
      await s.type('[data-testid="account-name"]', 'Shopee ID');
      // a shop in Indonesia: rupiah, with the 2 decimals ISO 4217 gives it (browsers say 0)
      await setValue(s, '[data-testid="account-country"]', 'ID', 'change');
      await s.type('[data-testid="account-partner-id"]', '2001887');
      await s.type('[data-testid="account-shop-id"]', '14701711');
      await s.type('[data-testid="account-partner-key"]', 'shpk_test_partner_key_0123456789abcdef');
      await s.type('[data-testid="account-shopee-refresh"]', 'rt_initial_0123456789');
      await s.click('[data-testid="account-form"] details summary');
      await setValue(s, '[data-testid="account-shopee-host-text"]', net.url);
      await s.screenshot(join(SHOTS, 'account-shopee-form-en.png'));
      await s.click('[data-testid="account-save"]');
      await s.waitText('[data-testid="accounts-notice"]', (t) => t.includes('is connected'));
      await s.click(`${row} [data-testid="account-sync"]`);
      await s.waitText('[data-testid="accounts-notice"]', (t) => t.includes('40 orders fetched, 40 new'), 30000);
      await s.waitText(`${row} [data-testid="account-orders"]`, (t) => t === '40 orders');
      // orders in rupiah, yen, dinar and euro: every unit shown, with the decimals
      // the backend's ISO 4217 table gives (IDR 2, JPY 0, KWD 3), in both languages
      const amounts = [
        ['241201000000SG', /IDR\s?1,500,000,050\.25/],
        ['241202000001SG', /¥19,800(?![.\d])/],
        ['241203000002SG', /KWD\s?12\.345/],
        ['241204000003SG', /€16\.99/],
      ];
      for (const lang of ['en-US', 'zh-CN']) {
        await s.click('[data-nav="settings"]');
        await s.click('[data-testid="language-select"]');
        await s.click(`[data-testid="language-select"] option[value="${lang}"]`);
        await new Promise((r) => setTimeout(r, 500));
        await s.click('[data-nav="orders"]');
        for (const [number, shown] of amounts) {
          await s.clear('[data-testid="orders-search"]');
          await s.type('[data-testid="orders-search"]', number);
          await s.waitText('[data-testid="orders-table"] [data-row="0"]', (t) => t.includes(number) && shown.test(t));
        }
        await s.clear('[data-testid="orders-search"]');
        await s.type('[data-testid="orders-search"]', '24120');
        await s.waitText('[data-testid="orders-table"] [data-row="0"]', (t) => t.includes('24120'));
        await s.screenshot(join(SHOTS, `orders-currencies-${lang.slice(0, 2)}.png`));
      }
      await s.click('[data-nav="settings"]');
      await s.click('[data-testid="language-select"]');
      await s.click('[data-testid="language-select"] option[value="en-US"]');
      // the shop's own listings, linked by SKU (the fake's ELE-00012-BLK is at Rp 150,000.50)
      await s.click(`${row} [data-testid="account-link"]`);
      await s.waitText('[data-testid="accounts-notice"]', (t) => t.includes('Shopee ID: 5 listings read, 3 linked'), 30000);
      // priced in rupiah; what the window shows is what reaches Shopee, to the last sen
      await s.click('[data-nav="pricing"]');
      await s.click('[data-testid="reprice"]');
      await s.waitText('[data-testid="pricing-notice"]', (t) => t.includes('prices computed'), 30000);
      await s.clear('[data-testid="matrix-search"]');
      await s.type('[data-testid="matrix-search"]', 'ELE-00012-BLK');
      const cell = '[data-testid="pricing-matrix"] [data-row="0"] [data-testid="matrix-cell"][data-channel="Shopee ID"]';
      let shown = await s.waitText(cell, (t) => /IDR\s?[\d,]+\.\d\d/.test(t), 20000);
      // the matrix reloads once the reprice is stored: read the cell when it has settled
      for (let same = 0, k = 0; same < 4 && k < 80; k++) {
        await new Promise((r) => setTimeout(r, 250));
        const again = await s.text(cell).catch(() => '');
        same = again === shown ? same + 1 : 0;
        shown = again;
      }
      shown = await s.waitText(cell, (t) => /IDR\s?[\d,]+\.\d\d/.test(t), 20000);
      const proposed = shown.match(/IDR\s?([\d,]+\.\d\d)/)[1];
      await s.click('[data-testid="pricing-tab-review"]');
      await s.exec(`const el = document.querySelector('[data-testid="apply-channel"]');
        el.value = [...el.options].find((o) => o.text.includes('Shopee ID')).value;
        el.dispatchEvent(new Event('change', { bubbles: true }));`);
      // the review shows that channel's changes only, the count on the button too
      await s.waitText('[data-testid="review-count"]', (t) => t.includes('3 listings would change'));
      await s.waitText('[data-testid="review-table"] [data-row="0"]', (t) => t.includes('Shopee ID') && /IDR/.test(t));
      // the linked price as Shopee has it, to the sen, beside the new one
      const rows = await s.exec(`return [...document.querySelectorAll('[data-testid="review-table"] .vrow')].map((r) => r.innerText)`);
      const ele = rows.find((r) => r.includes('ELE-00012-BLK'));
      assert.ok(ele && /IDR\s?150,000\.50/.test(ele) && new RegExp(`IDR\\s?${proposed.replace(/[.,]/g, '\\$&')}`).test(ele), `matrix ${shown}; review ${ele}`);
      assert.match(await s.text('[data-testid="apply-prices"]'), /Apply 3 new prices/);
      await s.screenshot(join(SHOTS, 'pricing-rupiah-en.png'));
      await s.click('[data-testid="apply-prices"]');
      await s.waitText('[data-testid="pricing-notice"]', (t) => t.includes('3 listing prices changed'));
      for (let k = 0; k < 150 && !said.some((l) => l.startsWith('price 880001:990001 ')); k++) await new Promise((r) => setTimeout(r, 200));
      const sent = said.find((l) => l.startsWith('price 880001:990001 '));
      assert.ok(sent, `the rupiah price reached Shopee: ${said.slice(1).join(' | ')}`);
      assert.equal(sent.split(' ')[2], proposed.replaceAll(',', ''), `shown ${proposed}, sent ${sent}`);
      // the other live listing too (the unlisted one is not sent), then nothing waits: the
      // session ends with no call, hence no refresh of the single-use token, in flight
      for (let k = 0; k < 150 && !said.some((l) => l.startsWith('price 880000:990000 ')); k++) await new Promise((r) => setTimeout(r, 200));
      // the seller chat was read in the sync: the buyer's question, with its order, answered through Shopee once
      await s.click('[data-nav="inbox"]');
      await s.waitText('[data-testid="inbox-list"]', (t) => t.includes('kapan pesanan'), 15000);
      await s.exec(`[...document.querySelectorAll('[data-testid="conversation"]')].find((b) => b.textContent.includes('kapan pesanan')).click()`);
      await s.waitText('[data-testid="thread-subject"]', (t) => t.includes('Shopee ID'));
      await s.waitText('[data-testid="order-card"]', (t) => t.includes('241201000000SG'));
      await s.waitText('[data-testid="reply-lang"]', (t) => t.includes('Indonesian'));
      await setValue(s, '[data-testid="reply-text"]', 'Halo kak, pesanan Anda sudah kami kirim hari ini. Terima kasih!');
      await s.exec(`return new Promise((r) => setTimeout(r, 600))`);
      await s.screenshot(join(SHOTS, 'inbox-shopee-chat-en.png'));
      await s.click('[data-testid="reply-send"]');
      await s.waitText('[data-testid="messages"] [data-testid="message"]:last-child [data-testid="message-status"]', (t) => t === 'Sent', 30000);
      // the fake tells what it received every 200 ms
      for (let k = 0; k < 50 && !said.some((l) => l.startsWith('chat ')); k++) await new Promise((r) => setTimeout(r, 200));
      await new Promise((r) => setTimeout(r, 500));
      const chats = said.filter((l) => l.startsWith('chat '));
      assert.equal(chats.length, 1, `one chat message reached Shopee: ${chats.join(' | ')}`);
      assert.ok(chats[0].endsWith(' Halo kak, pesanan Anda sudah kami kirim hari ini. Terima kasih!'), chats[0]);
      await s.click('[data-nav="settings"]');
      await s.waitText('[data-testid="sync-status"]', (t) => t.includes('All changes saved locally'), 30000);
      assert.deepEqual([...new Set(said.filter((l) => l.startsWith('price ')).map((l) => l.split(' ')[1]))].sort(), ['880000:990000', '880001:990001']);
    } finally {
      await s.close();
    }
    // the access token has expired meanwhile; the first refresh token is spent
    await new Promise((r) => setTimeout(r, 7000));
    s = await launch(APP, env(dataDir));
    try {
      await s.click('[data-nav="settings"]');
      await s.click(`${row} [data-testid="account-sync"]`);
      await s.waitText('[data-testid="accounts-notice"]', (t) => / 0 new/.test(t), 30000).catch(async (e) => {
        throw new Error(`${e.message}; error shown: ${(await s.count('[data-testid="accounts-error"]')) ? await s.text('[data-testid="accounts-error"]') : 'none'}`);
      });
      await s.waitText(`${row} [data-testid="account-status"]`, (t) => t.includes('synced'));
      await s.waitText(`${row} [data-testid="account-orders"]`, (t) => t === '40 orders');
      // no secret in the shop file, neither the first refresh token nor the partner key
      const db = readFileSync(join(dataDir, 'mercator.db')).toString('latin1');
      const wal = existsSync(join(dataDir, 'mercator.db-wal')) ? readFileSync(join(dataDir, 'mercator.db-wal')).toString('latin1') : '';
      for (const secret of ['shpk_test_partner_key', 'rt_initial_0123456789']) {
        assert.ok(!db.includes(secret) && !wal.includes(secret), `${secret} not in SQLite`);
      }
      // nor the rotated tokens (rt_0001_…, at_0001_…)
      assert.ok(!/[ra]t_\d{4}_[0-9a-f]+/.test(db + wal), 'no rotated token in SQLite');
      // the network goes away: the sync says so, the header shows it, work goes on
      assert.equal(await s.count('[data-testid="offline"]'), 0);
      await net.down();
      await s.click(`${row} [data-testid="account-sync"]`);
      await s.waitText('[data-testid="accounts-error"]', (t) => t.includes('looks offline'), 30000);
      const badge = await s.waitText('[data-testid="offline"]', (t) => /offline/i.test(t), 10000);
      assert.match(badge, /since/i);
      await s.screenshot(join(SHOTS, 'offline-en.png'));
      await s.click('[data-testid="language-select"]');
      await s.click('[data-testid="language-select"] option[value="zh-CN"]');
      await s.waitText('[data-testid="offline"]', (t) => t.includes('离线'));
      await s.screenshot(join(SHOTS, 'offline-zh.png'));
      // back online: "Try now" (or the next 15 s look) syncs and the badge goes
      await net.up();
      await s.click('[data-testid="offline-retry"]');
      for (let k = 0; k < 100 && (await s.count('[data-testid="offline"]')) > 0; k++) await new Promise((r) => setTimeout(r, 200));
      assert.equal(await s.count('[data-testid="offline"]'), 0, 'the offline badge goes once a channel answers');
      await s.waitText(`${row} [data-testid="account-orders"]`, (t) => t.includes('40'));
      await s.click('[data-testid="language-select"]');
      await s.click('[data-testid="language-select"] option[value="en-US"]');
    } finally {
      await s.close();
    }
  } finally {
    server.kill();
    // the relay must not keep the test process alive
    if (net) await net.close();
  }
});

test('inbox: buyer mail arrives live through a real mail server, threaded with its order, answered from a German template once; hostile mail runs and loads nothing; in both languages', async () => {
  const xtask = process.env.MERCATOR_XTASK;
  assert.ok(xtask && existsSync(xtask), 'the xtask binary runs the mail server');
  const { spawn } = await import('node:child_process');
  const http = await import('node:http');
  // anything the webview fetches because of a mail lands here (it must stay at zero)
  let fetched = 0;
  const spy = http.createServer((req, res) => {
    fetched++;
    res.end('x');
  });
  await new Promise((r) => spy.listen(0, '127.0.0.1', r));
  const spyUrl = `http://127.0.0.1:${spy.address().port}`;
  const server = spawn(xtask, ['fake-mail'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  let waiting = null;
  let buf = '';
  server.stdout.on('data', (d) => {
    buf += String(d);
    const parts = buf.split('\n');
    buf = parts.pop();
    for (const l of parts) {
      lines.push(l);
      if (waiting) {
        const w = waiting;
        waiting = null;
        w(lines.shift());
      }
    }
  });
  const next = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((ok) => (waiting = ok)));
  const ask = async (cmd) => {
    server.stdin.write(cmd + '\n');
    return next();
  };
  try {
    const ports = JSON.parse(await next());
    const dataDir = join(root, 'inbox');
    // the system's opener (xdg-open), replaced by one that writes down what it was asked to open
    const bin = join(root, 'inbox-bin');
    const opened = join(root, 'inbox-opened.log');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$*" >> '${opened}'\n`, { mode: 0o755 });
    const openedNow = () => (existsSync(opened) ? readFileSync(opened, 'utf8').split('\n').filter(Boolean) : []);
    const s = await launch(APP, { ...env(dataDir), PATH: `${bin}:${process.env.PATH}` });
    try {
      await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
      // an order of the demo Amazon.de account, as Amazon's relay would name it
      const db = join(dataDir, 'mercator.db');
      const order = execFileSync('sqlite3', [db, "SELECT o.order_number FROM orders o JOIN channels c ON c.id = o.channel_id WHERE c.name = 'Amazon.de' ORDER BY o.order_number LIMIT 1"], { encoding: 'utf8' }).trim();
      assert.match(order, /^\d{3}-\d{7}-\d{7}$/);

      await s.click('[data-nav="inbox"]');
      // demo conversations past their clock are counted in the navigation
      await s.waitText('[data-testid="nav-inbox-overdue"]', (t) => Number(t) > 0);
      await s.click('[data-testid="inbox-mailboxes"]');
      await setValue(s, '[data-testid="mailbox-channel"]', execFileSync('sqlite3', [db, "SELECT id FROM channels WHERE name = 'Amazon.de'"], { encoding: 'utf8' }).trim(), 'change');
      await s.type('[data-testid="mailbox-address"]', ports.user);
      await s.type('[data-testid="mailbox-password"]', ports.password);
      await s.type('[data-testid="mailbox-imap-host"]', '127.0.0.1');
      await setValue(s, '[data-testid="mailbox-imap-security"]', 'none', 'change');
      await setValue(s, '[data-testid="mailbox-imap-port"]', String(ports.imap));
      await s.type('[data-testid="mailbox-smtp-host"]', '127.0.0.1');
      await setValue(s, '[data-testid="mailbox-smtp-security"]', 'none', 'change');
      await setValue(s, '[data-testid="mailbox-smtp-port"]', String(ports.smtp));
      await s.click('[data-testid="mailbox-save"]');
      await s.waitText('[data-testid="mailbox-notice"]', (t) => t.includes('both folders found'), 20000);
      // the password is in the keyring, not in the database
      const dump = execFileSync('sqlite3', [db, '.dump'], { encoding: 'utf8' });
      assert.ok(!dump.includes(ports.password), 'no mailbox password in SQLite');
      await s.screenshot(join(SHOTS, 'inbox-mailboxes-en.png'));
      await s.click('[data-testid="inbox-mailboxes"]');

      // a buyer writes while the window is open: it appears without a click (IDLE -> engine -> event)
      const mail = join(root, 'buyer.eml');
      const now = new Date().toUTCString().replace('GMT', '+0000');
      writeFileSync(mail, `From: Jonas Becker <kx8pz3v2rq1m9t@marketplace.amazon.de>\r\nTo: ${ports.user}\r\nSubject: Frage zur Bestellung ${order}\r\nMessage-ID: <buyer-e2e-1@marketplace.amazon.de>\r\nDate: ${now}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHallo, wann kommt mein Paket? Ich habe es vor einer Woche bestellt und warte noch.\r\n`);
      assert.equal(await ask(`deliver ${mail}`), 'ok');
      await s.waitText('[data-testid="inbox-list"]', (t) => t.includes(`Frage zur Bestellung ${order}`), 15000);
      await s.exec(`[...document.querySelectorAll('[data-testid="conversation"]')].find((b) => b.textContent.includes('Frage zur Bestellung')).click()`);
      await s.screenshot(join(SHOTS, 'inbox-live-en.png'));
      await s.waitText('[data-testid="thread-subject"]', (t) => t.includes(order));
      await s.waitText('[data-testid="order-card"]', (t) => t.includes(order));
      assert.match(await s.text('[data-testid="buyer-time"]'), /Buyer's time now/);
      assert.equal(await s.exec(`return document.querySelector('[data-testid="thread-state"]').dataset.state`), 'due');
      // the German template, filled for this buyer and order, edited, linted, sent
      const tpl = await s.exec(`return [...document.querySelectorAll('[data-testid="reply-template"] option')].find((o) => o.textContent.includes('Thanks, we are on it') && o.textContent.includes('German'))?.value`);
      assert.ok(tpl, 'a German template is offered');
      await setValue(s, '[data-testid="reply-template"]', tpl, 'change');
      await s.click('[data-testid="reply-use-template"]');
      let text = '';
      for (let k = 0; k < 100 && !text; k++) {
        text = await s.exec(`return document.querySelector('[data-testid="reply-text"]').value`);
        if (!text) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(text.includes('Hallo Jonas Becker') && text.includes(order), text);
      // a link is refused before sending, until it is removed
      await s.type('[data-testid="reply-text"]', ' Mehr unter https://hearthly.example/track');
      await s.waitText('[data-testid="reply-lint"]', (t) => t.includes('https://hearthly.example/track'));
      assert.equal(await s.exec(`return document.querySelector('[data-testid="reply-send"]').disabled`), true);
      await setValue(s, '[data-testid="reply-text"]', text);
      await s.exec(`return new Promise((r) => setTimeout(r, 600))`);
      assert.equal(await s.count('[data-testid="reply-lint"]'), 0);
      await s.screenshot(join(SHOTS, 'inbox-reply-en.png'));
      await s.click('[data-testid="reply-send"]');
      await s.waitText('[data-testid="messages"] [data-testid="message"]:last-child [data-testid="message-status"]', (t) => t === 'Sent', 20000);
      await s.waitText('[data-testid="thread-state"]', (t) => t.includes('Answered'));
      const got = JSON.parse(await ask('received'));
      assert.equal(got.length, 1, 'the reply reached the SMTP receiver once');
      assert.equal(got[0].to, 'kx8pz3v2rq1m9t@marketplace.amazon.de');
      assert.deepEqual(got[0].inReplyTo, ['buyer-e2e-1@marketplace.amazon.de']);
      assert.ok(got[0].text.includes(order));
      await s.screenshot(join(SHOTS, 'inbox-thread-en.png'));

      // hostile mail: scripts, handlers, remote images and styles, a javascript: link
      const evil = join(root, 'evil.eml');
      const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
      writeFileSync(evil, `From: Mallory <mallory@example.test>\r\nTo: ${ports.user}\r\nSubject: Invoice please\r\nMessage-ID: <evil-1@example.test>\r\nDate: ${now}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="zz"\r\n\r\n--zz\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename="photo.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n${png.toString('base64')}\r\n--zz\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''invoice%E2%80%AEfdp.exe\r\nContent-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA\r\n--zz\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><head><link rel="stylesheet" href="${spyUrl}/s.css"><style>@import url(${spyUrl}/i.css); body{background:url(${spyUrl}/bg.png)}</style></head><body onload="window.__pwned=1"><p>Need an invoice <img src="${spyUrl}/pixel.png" onerror="window.__pwned=2"></p><script>window.__pwned=3;fetch('${spyUrl}/x')</script><a href="javascript:window.__pwned=4">click</a> <a href="https://evil.example/login?next=orders">https://sellercentral.amazon.de/</a><iframe src="${spyUrl}/f"></iframe><svg onload="window.__pwned=5"></svg></body></html>\r\n--zz--\r\n`);
      assert.equal(await ask(`deliver ${evil}`), 'ok');
      await s.waitText('[data-testid="inbox-list"]', (t) => t.includes('Invoice please'), 15000);
      await s.exec(`[...document.querySelectorAll('[data-testid="conversation"]')].find((b) => b.textContent.includes('Invoice please')).click()`);
      await s.waitText('[data-testid="thread-subject"]', (t) => t.includes('Invoice please'));
      await s.waitText('[data-testid="blocked-images"]', (t) => t.includes('1 remote image blocked'));
      await s.exec(`[...document.querySelectorAll('[data-testid="message-formatted"]')].at(-1).click()`);
      await s.exec(`return new Promise((r) => setTimeout(r, 1500))`);
      assert.equal(await s.exec('return window.__pwned ?? null'), null, 'nothing from the mail ran');
      assert.equal(await s.exec(`return document.querySelector('iframe.mail-html').getAttribute('sandbox')`), '');
      const srcdoc = await s.exec(`return document.querySelector('iframe.mail-html').getAttribute('srcdoc')`);
      for (const bad of ['<script', 'onload', 'onerror', 'javascript:', spyUrl, '<style', '<link']) assert.ok(!srcdoc.includes(bad), `${bad} in the shown mail`);
      assert.equal(fetched, 0, 'no request left the app because of a mail');
      // the link: nothing to click in the mail; beside it, its real target first, then the system browser
      assert.ok(!srcdoc.includes('evil.example') && !srcdoc.includes('href'), 'no link to click in the shown mail');
      const last = '[data-testid="messages"] [data-testid="message"]:last-child';
      assert.equal(await s.count(`${last} [data-testid="message-link"]`), 1);
      await s.click(`${last} [data-testid="message-link"]`);
      await s.waitText('[data-testid="link-url"]', (t) => t === 'https://evil.example/login?next=orders');
      await s.waitText('[data-testid="link-mismatch"]', (t) => t.includes('sellercentral.amazon.de') && t.includes('evil.example'));
      assert.deepEqual(openedNow(), [], 'nothing opened before the seller chose to');
      await s.screenshot(join(SHOTS, 'inbox-link-en.png'));
      await s.click('[data-testid="link-open"]');
      for (let k = 0; k < 50 && !openedNow().length; k++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(openedNow(), ['https://evil.example/login?next=orders'], 'the real target, in the system browser');
      // the attachments: a picture opened by the OS from the profile; a disguised program only shown in its folder
      const files = await s.exec(`return [...document.querySelectorAll('${last} [data-testid="message-attachment"]')].map((b) => [b.textContent.trim(), b.dataset.runsCode])`);
      assert.equal(files.length, 2, JSON.stringify(files));
      assert.ok(files[0][0].startsWith('photo.png') && files[0][1] === 'false', JSON.stringify(files));
      assert.ok(files[1][0].startsWith('invoicefdp.exe') && files[1][1] === 'true', 'the right-to-left trick is undone: ' + JSON.stringify(files));
      await s.exec(`document.querySelectorAll('${last} [data-testid="message-attachment"]')[0].click()`);
      await s.waitText('[data-testid="file-notice"]', (t) => t.includes('Opened photo.png'));
      const pic = openedNow()[1];
      assert.ok(pic && pic.startsWith(join(dataDir, 'attachments')) && pic.endsWith('photo.png'), pic);
      assert.ok(readFileSync(pic).equals(png), 'the picture is byte for byte the buyer\'s');
      await s.exec(`document.querySelectorAll('${last} [data-testid="message-attachment"]')[1].click()`);
      await s.waitText('[data-testid="file-notice"]', (t) => t.includes('could run a program'));
      assert.ok(!openedNow().some((l) => l.endsWith('.exe')), 'the program was never handed to the OS to open: ' + openedNow().join(' | '));
      assert.equal(fetched, 0);

      // Chinese
      await s.click('[data-nav="settings"]');
      await s.click('[data-testid="language-select"]');
      await s.click('[data-testid="language-select"] option[value="zh-CN"]');
      await s.waitText('[data-nav="inbox"]', (t) => t.includes('消息'));
      await s.click('[data-nav="inbox"]');
      await s.waitText('[data-testid="inbox-list"]', (t) => t.includes(order));
      await s.exec(`[...document.querySelectorAll('[data-testid="conversation"]')].find((b) => b.textContent.includes('${order}')).click()`);
      await s.waitText('[data-testid="thread-state"]', (t) => t.includes('已回复'));
      await s.waitText('[data-testid="message-status"]', (t) => t === '已发送');
      // search over every message: two CJK characters, no spaces
      await setValue(s, '[data-testid="inbox-search"]', '配送');
      await s.waitText('[data-testid="inbox-list"]', (t) => t.includes('配送について') && !t.includes(order));
      assert.equal(await s.count('[data-testid="conversation"]'), 1);
      await s.screenshot(join(SHOTS, 'inbox-thread-zh.png'));
      // the hostile mail's link check in Chinese
      await setValue(s, '[data-testid="inbox-search"]', '');
      await s.waitText('[data-testid="inbox-list"]', (t) => t.includes('Invoice please'));
      await s.exec(`[...document.querySelectorAll('[data-testid="conversation"]')].find((b) => b.textContent.includes('Invoice please')).click()`);
      await s.waitText('[data-testid="thread-subject"]', (t) => t.includes('Invoice please'));
      await s.click('[data-testid="message-link"]');
      await s.waitText('[data-testid="link-mismatch"]', (t) => t.includes('实际指向 evil.example'));
      await s.exec(`document.querySelectorAll('[data-testid="message-attachment"]')[1].click()`);
      await s.waitText('[data-testid="file-notice"]', (t) => t.includes('可能会运行程序'));
      await s.screenshot(join(SHOTS, 'inbox-link-zh.png'));
      assert.equal(fetched, 0);
    } finally {
      await s.close();
    }
  } finally {
    server.stdin.end();
    server.kill();
    spy.close();
  }
});

/** The test mail server (`xtask fake-mail`): its ports, and a line protocol on stdin/stdout. */
async function startMail(xtask) {
  const { spawn } = await import('node:child_process');
  const server = spawn(xtask, ['fake-mail'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  let waiting = null;
  let buf = '';
  server.stdout.on('data', (d) => {
    buf += String(d);
    const parts = buf.split('\n');
    buf = parts.pop();
    for (const l of parts) {
      lines.push(l);
      if (waiting) {
        const w = waiting;
        waiting = null;
        w(lines.shift());
      }
    }
  });
  const next = () => (lines.length ? Promise.resolve(lines.shift()) : new Promise((ok) => (waiting = ok)));
  const ports = JSON.parse(await next());
  return {
    ports,
    ask: async (cmd) => {
      server.stdin.write(cmd + '\n');
      return next();
    },
    stop: () => {
      server.stdin.end();
      server.kill();
    },
  };
}

/** Adds the test mail server as the mailbox of the account `channelId` (Inbox > Mailboxes). */
async function addMailbox(s, channelId, ports) {
  await s.click('[data-testid="inbox-mailboxes"]');
  await setValue(s, '[data-testid="mailbox-channel"]', channelId, 'change');
  await s.type('[data-testid="mailbox-address"]', ports.user);
  await s.type('[data-testid="mailbox-password"]', ports.password);
  await s.type('[data-testid="mailbox-imap-host"]', '127.0.0.1');
  await setValue(s, '[data-testid="mailbox-imap-security"]', 'none', 'change');
  await setValue(s, '[data-testid="mailbox-imap-port"]', String(ports.imap));
  await s.type('[data-testid="mailbox-smtp-host"]', '127.0.0.1');
  await setValue(s, '[data-testid="mailbox-smtp-security"]', 'none', 'change');
  await setValue(s, '[data-testid="mailbox-smtp-port"]', String(ports.smtp));
  await s.click('[data-testid="mailbox-save"]');
  await s.waitText('[data-testid="mailbox-notice"]', (t) => t.includes('both folders found'), 20000);
  await s.click('[data-testid="inbox-mailboxes"]');
}

test("amazon messages and translation: what Amazon allows for the buyer's order, sent through Amazon once; the buyer's German translated, a Chinese reply sent in German with its original; in both languages", async () => {
  const xtask = process.env.MERCATOR_XTASK;
  assert.ok(xtask && existsSync(xtask), 'the xtask binary serves the fakes');
  const { spawn } = await import('node:child_process');
  const amazon = spawn(xtask, ['fake-amazon', '--orders', '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const deepl = spawn(xtask, ['fake-deepl'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const mail = await startMail(xtask);
  try {
    const url = await new Promise((ok, fail) => {
      amazon.stdout.once('data', (d) => ok(String(d).trim().split('\n')[0]));
      amazon.once('exit', (c) => fail(new Error(`fake server exited ${c}`)));
    });
    const [deeplUrl, deeplKey] = await new Promise((ok, fail) => {
      deepl.stdout.once('data', (d) => ok(String(d).trim().split('\n')[0].split(' ')));
      deepl.once('exit', (c) => fail(new Error(`fake DeepL exited ${c}`)));
    });
    const dataDir = join(root, 'amazon-messages');
    const s = await launch(APP, env(dataDir));
    try {
      await s.waitText('[data-testid="catalog-summary"]', (t) => t.includes('50 products'));
      await s.click('[data-nav="settings"]');
      // translation: a wrong DeepL key is refused and not kept; the right one is checked and kept in the keyring
      await s.click('[data-testid="translation-settings"] details summary');
      await setValue(s, '[data-testid="deepl-endpoint"]', deeplUrl);
      await setValue(s, '[data-testid="deepl-key"]', 'wrong-key:fx');
      await s.click('[data-testid="deepl-save"]');
      await s.waitText('[data-testid="translation-error"]', (t) => t.length > 0);
      assert.match(await s.text('[data-testid="translation-status"]'), /No translation key/);
      await setValue(s, '[data-testid="deepl-key"]', deeplKey);
      await s.click('[data-testid="deepl-save"]');
      await s.waitText('[data-testid="translation-notice"]', (t) => t.includes('The key works'));
      await s.screenshot(join(SHOTS, 'settings-translation-en.png'));
      await s.click('[data-testid="account-add"]');
      await s.type('[data-testid="account-name"]', 'Amazon.de Messaging');
      await s.type('[data-testid="account-client-id"]', 'amzn1.application-oa2-client.test');
      await s.type('[data-testid="account-seller-id"]', 'A2SELLERTEST');
      await s.type('[data-testid="account-client-secret"]', 'test-client-secret');
      await s.type('[data-testid="account-refresh-token"]', 'Atzr|test-refresh-token');
      await s.click('[data-testid="account-form"] details summary');
      await s.exec(`for (const [id, v] of [['account-endpoint', ${JSON.stringify(url)}], ['account-token-url', ${JSON.stringify(url + '/auth/o2/token')}]]) { const el = document.querySelector('[data-testid="' + id + '"]'); el.value = v; el.dispatchEvent(new Event('input', { bubbles: true })); }`);
      await s.click('[data-testid="account-save"]');
      await s.waitText('[data-testid="accounts-notice"]', (t) => t.includes('is connected'));
      const row = '[data-testid="accounts-table"] tr[data-account="Amazon.de Messaging"]';
      await s.click(`${row} [data-testid="account-sync"]`);
      await s.waitText('[data-testid="accounts-notice"]', (t) => t.includes('20 orders fetched'), 20000);
      const db = join(dataDir, 'mercator.db');
      const channel = execFileSync('sqlite3', [db, "SELECT id FROM channels WHERE name = 'Amazon.de Messaging'"], { encoding: 'utf8' }).trim();
      const order = execFileSync('sqlite3', [db, `SELECT order_number FROM orders WHERE channel_id = '${channel}' AND status = 'unshipped' ORDER BY order_number LIMIT 1`], { encoding: 'utf8' }).trim();
      assert.match(order, /^\d{3}-\d{7}-\d{7}$/);

      // the buyer writes through Amazon's relay about that order
      await s.click('[data-nav="inbox"]');
      await addMailbox(s, channel, mail.ports);
      const eml = join(root, 'amazon-buyer.eml');
      writeFileSync(eml, `From: Anna Schmidt <qz7w2k9x4m1p8r@marketplace.amazon.de>\r\nTo: ${mail.ports.user}\r\nSubject: Lieferadresse ${order}\r\nMessage-ID: <amazon-e2e-1@marketplace.amazon.de>\r\nDate: ${new Date().toUTCString().replace('GMT', '+0000')}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nKommt das Paket noch diese Woche?\r\n`);
      assert.equal(await mail.ask(`deliver ${eml}`), 'ok');
      await s.waitText('[data-testid="inbox-list"]', (t) => t.includes(`Lieferadresse ${order}`), 15000);
      await s.exec(`[...document.querySelectorAll('[data-testid="conversation"]')].find((b) => b.textContent.includes('Lieferadresse')).click()`);
      await s.waitText('[data-testid="order-card"]', (t) => t.includes(order));
      // the buyer's German translated beside the original
      await s.click('[data-testid="message-translate"]');
      await s.waitText('[data-testid="message-translation"]', (t) => t.includes('[EN-US] Kommt das Paket noch diese Woche?'));

      // ask Amazon: the kinds it allows now, the ones needing a document shown but not offered
      await s.click('[data-testid="amazon-messages-open"]');
      const options = `return [...document.querySelectorAll('[data-testid="amazon-kind"] option')].map((o) => [o.value, o.disabled, o.textContent])`;
      let kinds = [];
      for (let k = 0; k < 100 && kinds.length === 0; k++) {
        kinds = await s.exec(options);
        if (kinds.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(kinds.some(([, , text]) => text === 'Confirm delivery details'), JSON.stringify(kinds));
      assert.ok(kinds.some(([v, d]) => v === 'confirmDeliveryDetails' && !d));
      assert.ok(kinds.some(([v, d]) => v === 'invoice' && !d), 'an invoice is offered, with its PDF');
      assert.ok(!kinds.some(([v]) => v === 'negativeFeedbackRemoval'), 'kinds Amazon removed are not offered');
      // a text with an e-mail address is refused before it is queued, with the reason
      await setValue(s, '[data-testid="amazon-kind"]', 'confirmDeliveryDetails', 'change');
      await setValue(s, '[data-testid="amazon-text"]', 'Fragen? Schreiben Sie an service@hearthly.example');
      await s.click('[data-testid="amazon-send"]');
      await s.waitText('[data-testid="amazon-error"]', (t) => t.includes('service@hearthly.example'));
      await setValue(s, '[data-testid="amazon-text"]', 'Ihr Paket wird am Donnerstag zugestellt.');
      await s.screenshot(join(SHOTS, 'inbox-amazon-messages-en.png'));
      await s.click('[data-testid="amazon-send"]');
      await s.waitText('[data-testid="messages"] [data-testid="message"]:last-child [data-testid="message-status"]', (t) => t === 'Sent', 20000);
      assert.match(await s.text('[data-testid="messages"] [data-testid="message"]:last-child [data-testid="message-action"]'), /Amazon: Confirm delivery details/);
      // not an answer to the buyer's mail: the clock still runs
      assert.notEqual(await s.exec(`return document.querySelector('[data-testid="thread-state"]').dataset.state`), 'answered');
      let sent = [];
      for (let k = 0; k < 40 && sent.length === 0; k++) {
        sent = await (await fetch(`${url}/_fake/messages`)).json();
        if (sent.length === 0) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(sent.length, 1, 'Amazon received it once');
      assert.equal(sent[0].order, order);
      assert.equal(sent[0].kind, 'confirmDeliveryDetails');
      assert.equal(sent[0].body.text, 'Ihr Paket wird am Donnerstag zugestellt.');
      await s.screenshot(join(SHOTS, 'inbox-amazon-sent-en.png'));

      // Chinese
      await s.click('[data-nav="settings"]');
      await s.click('[data-testid="language-select"]');
      await s.click('[data-testid="language-select"] option[value="zh-CN"]');
      await s.waitText('[data-nav="inbox"]', (t) => t.includes('消息'));
      await s.click('[data-nav="inbox"]');
      await s.waitText('[data-testid="inbox-list"]', (t) => t.includes('Lieferadresse'));
      await s.exec(`[...document.querySelectorAll('[data-testid="conversation"]')].find((b) => b.textContent.includes('Lieferadresse')).click()`);
      await s.waitText('[data-testid="message-action"]', (t) => t.includes('亚马逊：确认配送详情'));
      await s.click('[data-testid="amazon-messages-open"]');
      for (let k = 0; k < 100 && !(await s.exec(options)).some(([, , text]) => text === '意外问题'); k++) await new Promise((r) => setTimeout(r, 100));
      assert.ok((await s.exec(options)).some(([, , text]) => text === '意外问题'));
      await s.screenshot(join(SHOTS, 'inbox-amazon-messages-zh.png'));
      assert.equal((await (await fetch(`${url}/_fake/messages`)).json()).length, 1, 'still once');
      // a warranty, chosen in Chinese: its first and last day, sent through Amazon once
      await setValue(s, '[data-testid="amazon-kind"]', 'warranty', 'change');
      await setValue(s, '[data-testid="warranty-from"]', '2026-12-08');
      await setValue(s, '[data-testid="warranty-to"]', '2027-12-07');
      await s.screenshot(join(SHOTS, 'inbox-amazon-warranty-zh.png'));
      await s.click('[data-testid="amazon-send"]');
      await s.waitText('[data-testid="messages"] [data-testid="message"]:last-child [data-testid="message-body"]', (t) => t.includes('2026-12-08 – 2027-12-07'), 20000);
      await s.waitText('[data-testid="messages"] [data-testid="message"]:last-child [data-testid="message-status"]', (t) => t === '已发送', 20000);
      for (let k = 0; k < 40 && sent.length < 2; k++) {
        sent = await (await fetch(`${url}/_fake/messages`)).json();
        if (sent.length < 2) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(sent.length, 2, 'the warranty reached Amazon once');
      assert.equal(sent[1].kind, 'warranty');
      assert.deepEqual(sent[1].body, { coverageStartDate: '2026-12-08T12:00:00Z', coverageEndDate: '2027-12-07T12:00:00Z' });
      // an invoice: the PDF chosen in the system's file dialog, uploaded, then sent once
      const invoice = join(root, 'Rechnung-1001.pdf');
      writeFileSync(invoice, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
      await setValue(s, '[data-testid="amazon-kind"]', 'invoice', 'change');
      await s.exec(`document.querySelector('[data-testid="amazon-send-document"]').scrollIntoView(); document.querySelector('[data-testid="amazon-send-document"]').click()`);
      pickFile('选择 PDF 并发送', invoice);
      await s.waitText('[data-testid="messages"] [data-testid="message"]:last-child [data-testid="message-attachment"]', (t) => t.includes('Rechnung-1001.pdf'), 20000);
      await s.waitText('[data-testid="messages"] [data-testid="message"]:last-child [data-testid="message-status"]', (t) => t === '已发送', 20000);
      for (let k = 0; k < 40 && sent.length < 3; k++) {
        sent = await (await fetch(`${url}/_fake/messages`)).json();
        if (sent.length < 3) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(sent.length, 3, 'the invoice reached Amazon once');
      assert.equal(sent[2].kind, 'invoice');
      assert.equal(sent[2].body.attachments[0].fileName, 'Rechnung-1001.pdf');
      await s.screenshot(join(SHOTS, 'inbox-amazon-invoice-zh.png'));
      // a reply written in Chinese, turned into the buyer's German before sending; both texts shown
      await setValue(s, '[data-testid="reply-text"]', '您好，包裹本周四送达。');
      await s.click('[data-testid="reply-translate"]');
      await s.waitText('[data-testid="reply-original"]', (t) => t.includes('您好，包裹本周四送达。'));
      let translated = '';
      for (let k = 0; k < 50 && !translated.startsWith('[DE]'); k++) {
        translated = await s.exec(`return document.querySelector('[data-testid="reply-text"]').value`);
        if (!translated.startsWith('[DE]')) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(translated, '[DE] 您好，包裹本周四送达。');
      await s.exec(`return new Promise((r) => setTimeout(r, 600))`);
      await s.screenshot(join(SHOTS, 'inbox-translate-reply-zh.png'));
      await s.click('[data-testid="reply-send"]');
      await s.waitText('[data-testid="messages"]', (t) => t.includes('[DE] 您好，包裹本周四送达。'));
      await s.waitText('[data-testid="messages"] [data-testid="message"]:last-child [data-testid="message-status"]', (t) => t === '已发送', 20000);
      let got = [];
      for (let k = 0; k < 40 && got.length === 0; k++) {
        got = JSON.parse(await mail.ask('received'));
        if (got.length === 0) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(got.length, 1, 'the reply reached the SMTP receiver once');
      assert.ok(got[0].text.includes('[DE] 您好，包裹本周四送达。'), got[0].text);
      const kept = execFileSync('sqlite3', [db, "SELECT original FROM messages WHERE original IS NOT NULL"], { encoding: 'utf8' }).trim();
      assert.equal(kept, '您好，包裹本周四送达。', 'the seller\'s own text is kept with the reply');
    } finally {
      await s.close();
    }
  } finally {
    amazon.kill();
    deepl.kill();
    mail.stop();
  }
});
