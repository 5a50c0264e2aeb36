// The browsers the end-to-end tests drive: Debian's Chromium over the DevTools protocol
// and Firefox ESR over WebDriver BiDi, both through puppeteer-core. `BROWSER=firefox`
// picks Firefox (default: chromium); `npm test` runs the suite in both.
//
// The tests are written against the small part of Playwright's page API that they use
// (page.click(selector), page.textContent(selector), page.locator(selector).count(), ...).
// This module gives that part on top of puppeteer-core, the same code for both browsers,
// so a difference in a test's result is the browser's, not the driver's. It is not a
// general emulation: what a test needs and one browser cannot do (e.g. Chromium's fake
// camera flags) is said where it is used, through `engine`.
import puppeteer from 'puppeteer-core';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** 'chromium' or 'firefox': the browser this run of the suite drives. */
export const engine = process.env.BROWSER ?? 'chromium';
if (!['chromium', 'firefox'].includes(engine)) throw new Error(`BROWSER=${engine}: chromium or firefox`);

const chromiumFlags = [
  '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

/**
 * Each camera setup as Chromium's flags and Firefox's preferences: 'none' (as installed),
 * 'fake' (a fake webcam, allowed), 'refused' (a fake webcam whose permission is denied),
 * 'missing' (no camera at all; this machine has none).
 */
const cameras = {
  none: { flags: [], prefs: {} },
  fake: {
    flags: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
    prefs: { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true },
  },
  refused: {
    flags: ['--use-fake-device-for-media-stream', '--deny-permission-prompts'],
    prefs: { 'media.navigator.streams.fake': true, 'permissions.default.camera': 2 },
  },
  missing: { flags: ['--use-fake-ui-for-media-stream'], prefs: { 'media.navigator.permission.disabled': true } },
};

/**
 * Launches the run's browser (headless) with `camera` as above. `touch`: contexts may ask
 * for a touch screen (`hasTouch`); Chromium emulates one per context, Firefox only for
 * the whole browser (preferences: a coarse primary pointer, touch events), so here.
 * `preciseClock` (for bench/page.mjs): Firefox's performance.now() without its rounding
 * to 1 ms (Chromium's is 0.1 ms without any setting).
 */
export async function launchBrowser({ camera = 'none', touch = false, preciseClock = false } = {}) {
  const setup = cameras[camera];
  const touchPrefs = touch
    ? { 'ui.primaryPointerCapabilities': 1, 'ui.allPointerCapabilities': 1, 'dom.w3c_touch_events.enabled': 1 }
    : {};
  const browser = engine === 'firefox'
    ? await puppeteer.launch({
      browser: 'firefox',
      executablePath: '/usr/bin/firefox-esr',
      headless: true,
      extraPrefsFirefox: {
        // Tests paste and read the clipboard without a prompt (Chromium: a permission).
        'dom.events.testing.asyncClipboard': true,
        ...setup.prefs,
        ...touchPrefs,
        ...(preciseClock ? { 'privacy.reduceTimerPrecision': false } : {}),
      },
    })
    : await puppeteer.launch({
      browser: 'chrome',
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: [...chromiumFlags, ...setup.flags],
    });
  return new Browser(browser);
}

class Browser {
  constructor(browser) { this.inner = browser; }

  /**
   * A fresh context (own cookies and storage). Options as Playwright's: `viewport`,
   * `permissions` (['camera', 'clipboard-read', ...]), `locale` (what navigator.language(s)
   * say), `hasTouch` / `isMobile`, `bypassCSP` (accepted: scripts the tests inject go
   * through evaluate, which no page policy stops).
   */
  async newContext(options = {}) {
    const downloads = await mkdtemp(join(tmpdir(), 'convlens-downloads-'));
    const context = await this.inner.createBrowserContext({
      downloadBehavior: { policy: 'allow', downloadPath: downloads },
    });
    return new Context(this, context, options, downloads);
  }

  /** A page in a context of its own (closed with the page's context). */
  async newPage(options = {}) {
    return (await this.newContext(options)).newPage();
  }

  async close() { await this.inner.close(); }
}

// navigator.language and navigator.languages as a browser set to `locale` says them.
function pretendLocale(locale) {
  const languages = [locale, locale.split('-')[0]].filter((v, i, all) => all.indexOf(v) === i);
  Object.defineProperty(Navigator.prototype, 'language', { get: () => languages[0], configurable: true });
  Object.defineProperty(Navigator.prototype, 'languages', { get: () => [...languages], configurable: true });
}

class Context {
  constructor(browser, context, options, downloads) {
    this.browser = browser;
    this.inner = context;
    this.options = options;
    this.downloads = downloads;
    this.initScripts = options.locale ? [[pretendLocale, options.locale]] : [];
    this.pages = [];
    this.taken = 0;
  }

  /** Runs `script` (a function, with `arg`) in every page before the page's own scripts. */
  async addInitScript(script, arg) {
    this.initScripts.push([script, arg]);
    for (const page of this.pages) await page.inner.evaluateOnNewDocument(script, arg);
  }

  async newPage() {
    const { viewport = { width: 1280, height: 720 }, hasTouch = false, isMobile = false } = this.options;
    const inner = await this.inner.newPage();
    // The new tab gets the keyboard focus now (Firefox gives it a moment later, and a
    // key pressed before then goes nowhere).
    await inner.bringToFront();
    await inner.setViewport({ ...viewport, hasTouch, isMobile });
    for (const [script, arg] of this.initScripts) await inner.evaluateOnNewDocument(script, arg);
    const page = new Page(this, inner);
    this.pages.push(page);
    if (this.options.permissions?.length) await page.grant(this.options.permissions);
    return page;
  }

  async close() {
    await this.inner.close();
    await rm(this.downloads, { recursive: true, force: true });
  }
}

const sleep = (ms) => new Promise((resolve) => { setTimeout(resolve, ms); });

// Playwright's waitForSelector states as puppeteer's options (Playwright waits for
// `visible` by default).
const selectorState = ({ state = 'visible', timeout } = {}) => ({
  visible: state === 'visible', hidden: state === 'hidden' || state === 'detached', timeout,
});

/** What pages and frames share: queries and actions on one document. */
class Document {
  constructor(frame) { this.frameInner = frame; }

  url() { return this.frameInner.url(); }

  evaluate(fn, arg) { return this.frameInner.evaluate(fn, arg); }

  evaluateHandle(fn, arg) { return this.frameInner.evaluateHandle(fn, arg); }

  /** Playwright's argument order: (fn, arg, { timeout, polling }). */
  waitForFunction(fn, arg, { timeout = 30000, polling = 'raf' } = {}) {
    return this.frameInner.waitForFunction(fn, { timeout, polling }, arg);
  }

  waitForSelector(selector, options) {
    return this.frameInner.waitForSelector(selector, selectorState(options));
  }

  waitForTimeout(ms) { return sleep(ms); }

  async element(selector) {
    return this.frameInner.waitForSelector(selector, { timeout: 30000 });
  }

  async on$(selector, fn, arg) {
    const handle = await this.element(selector);
    try { return await handle.evaluate(fn, arg); } finally { await handle.dispose(); }
  }

  $(selector) { return this.frameInner.$(selector); }

  $eval(selector, fn, arg) { return this.frameInner.$eval(selector, fn, arg); }

  $$eval(selector, fn, arg) { return this.frameInner.$$eval(selector, fn, arg); }

  textContent(selector) { return this.on$(selector, (e) => e.textContent); }

  getAttribute(selector, name) { return this.on$(selector, (e, n) => e.getAttribute(n), name); }

  inputValue(selector) { return this.on$(selector, (e) => e.value); }

  isChecked(selector) { return this.on$(selector, (e) => e.checked); }

  /** Playwright's visibility: a non-empty box and not `visibility: hidden`. */
  async isVisible(selector) {
    return this.frameInner.$eval(selector, (e) => e.getClientRects().length > 0
      && getComputedStyle(e).visibility !== 'hidden').catch(() => false);
  }

  async isHidden(selector) { return !(await this.isVisible(selector)); }

  locator(selector) { return new Locator(this, selector, 0); }

  async click(selector, options) { await this.locator(selector).click(options); }

  async hover(selector) {
    const handle = await this.element(selector);
    await handle.hover();
    await handle.dispose();
  }

  async focus(selector) { await this.on$(selector, (e) => e.focus()); }

  /** Clicks a checkbox or radio button unless it is already in that state. */
  async setChecked(selector, checked) {
    if ((await this.isChecked(selector)) !== checked) await this.click(selector);
    if ((await this.isChecked(selector)) !== checked) throw new Error(`${selector}: clicking did not ${checked ? 'check' : 'uncheck'} it`);
  }

  check(selector) { return this.setChecked(selector, true); }

  uncheck(selector) { return this.setChecked(selector, false); }

  /** Picks the option with `value` and fires input and change, as a user's pick does. */
  async selectOption(selector, value) {
    await this.element(selector);
    const picked = await this.frameInner.select(selector, value);
    if (!picked.includes(value)) throw new Error(`${selector} has no option ${value}`);
  }

  /**
   * Replaces a field's text as typing does (the browser's insertText command: input
   * fires, and change on Enter or blur, as after a user's edit).
   */
  async fill(selector, text) {
    const value = await this.on$(selector, (e, wanted) => {
      e.focus();
      e.select?.();
      document.execCommand(wanted === '' ? 'delete' : 'insertText', false, wanted);
      return e.value;
    }, text);
    if (value !== text) throw new Error(`${selector}: filled with '${text}', holds '${value}'`);
  }

  /** Focuses `selector`, then presses `key` ('Enter', 'Shift+P', ...). */
  async press(selector, key) {
    await this.focus(selector);
    await this.page.keyboard.press(key);
  }

  async type(selector, text) {
    await this.focus(selector);
    await this.page.inner.keyboard.type(text);
  }

  /** Dispatches a DOM event of `type` on `selector`, with `init` (handles allowed: dataTransfer). */
  async dispatchEvent(selector, type, init = {}) {
    const handle = await this.element(selector);
    const entries = Object.entries(init);
    await handle.evaluate((element, eventType, keys, ...values) => {
      const props = Object.fromEntries(keys.map((k, i) => [k, values[i]]));
      const kinds = { drop: DragEvent, dragover: DragEvent, dragenter: DragEvent, dragleave: DragEvent };
      const Kind = kinds[eventType] ?? Event;
      element.dispatchEvent(new Kind(eventType, { bubbles: true, cancelable: true, composed: true, ...props }));
    }, type, entries.map(([k]) => k), ...entries.map(([, v]) => v));
    await handle.dispose();
  }

  /** Sets a file input's files ({ name, mimeType, buffer } or several) and fires input and change. */
  async setInputFiles(selector, files) {
    const list = (Array.isArray(files) ? files : [files])
      .map(({ name, mimeType, buffer }) => ({ name, mimeType, base64: Buffer.from(buffer).toString('base64') }));
    await this.on$(selector, (input, items) => {
      const transfer = new DataTransfer();
      for (const { name, mimeType, base64 } of items) {
        const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
        transfer.items.add(new File([bytes], name, { type: mimeType }));
      }
      input.files = transfer.files;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }, list);
  }
}

/** One element among those `selector` matches (the `index`th), found when used. */
class Locator {
  constructor(document, selector, index) {
    this.document = document;
    this.selector = selector;
    this.index = index;
  }

  nth(index) { return new Locator(this.document, this.selector, index); }

  first() { return this.nth(0); }

  async count() { return (await this.document.frameInner.$$(this.selector)).length; }

  async elementHandle() {
    await this.document.element(this.selector);
    const all = await this.document.frameInner.$$(this.selector);
    if (!all[this.index]) throw new Error(`no element ${this.index} for ${this.selector}`);
    return all[this.index];
  }

  async boundingBox() {
    const handle = await this.elementHandle();
    try { return await handle.boundingBox(); } finally { await handle.dispose(); }
  }

  async scrollIntoViewIfNeeded() {
    const handle = await this.elementHandle();
    await handle.evaluate((e) => e.scrollIntoView({ block: 'center', inline: 'center' }));
    await handle.dispose();
  }

  async evaluate(fn, arg) {
    const handle = await this.elementHandle();
    try { return await handle.evaluate(fn, arg); } finally { await handle.dispose(); }
  }

  async hover() {
    const handle = await this.elementHandle();
    try { await handle.hover(); } finally { await handle.dispose(); }
  }

  /** The document inside an iframe element. */
  async contentFrame() {
    const handle = await this.elementHandle();
    try { return new Frame(this.document.page, await handle.contentFrame()); } finally { await handle.dispose(); }
  }

  async blur() {
    const handle = await this.elementHandle();
    await handle.evaluate((e) => e.blur());
    await handle.dispose();
  }

  /** A real click in the element's centre, or at `position` from its top left. */
  async click({ position } = {}) {
    const handle = await this.elementHandle();
    try {
      if (position) {
        await handle.evaluate((e) => e.scrollIntoView({ block: 'nearest', inline: 'nearest' }));
        const box = await handle.boundingBox();
        await this.document.page.inner.mouse.click(box.x + position.x, box.y + position.y);
      } else {
        await handle.click();
      }
    } finally {
      await handle.dispose();
    }
  }
}

/** Keys as Playwright names them, chords included ('Shift+P', 'Control+a'). */
class Keyboard {
  constructor(inner) { this.inner = inner; }

  async press(chord) {
    const keys = chord === '+' ? ['+'] : chord.split('+');
    const key = keys.pop();
    for (const modifier of keys) await this.inner.down(modifier);
    await this.inner.press(key);
    for (const modifier of keys.reverse()) await this.inner.up(modifier);
  }

  type(text) { return this.inner.type(text); }

  down(key) { return this.inner.down(key); }

  up(key) { return this.inner.up(key); }
}

class Page extends Document {
  constructor(context, inner) {
    super(inner.mainFrame());
    this.page = this;
    this.ownContext = context;
    this.inner = inner;
    this.keyboard = new Keyboard(inner.keyboard);
    this.mouse = inner.mouse;
    this.touchscreen = inner.touchscreen;
    this.extraRoutes = new Map();
  }

  context() { return this.ownContext; }

  close() { return this.inner.close(); }

  /**
   * The JavaScript heap in use after a garbage collection, in bytes: Chromium only (the
   * DevTools protocol); null in Firefox, which has no such command over WebDriver BiDi.
   */
  async jsHeapBytes() {
    if (engine !== 'chromium') return null;
    this.cdp ??= await this.inner.createCDPSession();
    await this.cdp.send('HeapProfiler.collectGarbage');
    return (await this.cdp.send('Runtime.getHeapUsage')).usedSize;
  }

  /** The run's browser: 'chromium' or 'firefox'. */
  engine() { return engine; }

  /** Grants `permissions` to the page's origin, now and at each navigation. */
  async grant(permissions) {
    this.permissions = permissions;
    await this.applyPermissions(this.inner.url());
  }

  async applyPermissions(url) {
    const { origin } = new URL(url);
    if (!this.permissions || origin === 'null') return;
    await this.ownContext.inner.setPermission(origin, ...this.permissions.map((name) => ({
      permission: { name }, state: 'granted',
    }))).catch((error) => {
      // Firefox has no override for some (it grants the camera and the clipboard by the
      // preferences launchBrowser sets).
      if (engine !== 'firefox') throw error;
    });
  }

  on(event, listener) {
    if (event === 'console') {
      this.inner.on('console', (message) => listener({ type: () => message.type(), text: () => message.text() }));
    } else if (event === 'pageerror') {
      this.inner.on('pageerror', (error) => listener(error instanceof Error ? error : new Error(String(error))));
    } else if (event === 'request') {
      this.inner.on('request', (request) => listener({ url: () => request.url() }));
    } else {
      throw new Error(`driver: no '${event}' event`);
    }
  }

  async goto(url) {
    await this.applyPermissions(url);
    return this.inner.goto(url, { waitUntil: 'load' });
  }

  reload() { return this.inner.reload({ waitUntil: 'load' }); }

  setContent(html) { return this.inner.setContent(html, { waitUntil: 'load' }); }

  screenshot(options) { return this.inner.screenshot(options); }

  frames() { return this.inner.frames().map((frame) => new Frame(this, frame)); }

  /**
   * Playwright's download event, for `waitForEvent('download')`: resolves with the next
   * file the page downloads, as { suggestedFilename(), path() }.
   */
  async waitForEvent(event, { timeout = 30000 } = {}) {
    if (event !== 'download') throw new Error(`driver: no waitForEvent('${event}')`);
    const dir = this.ownContext.downloads;
    for (const start = Date.now(); Date.now() - start < timeout; await sleep(50)) {
      for (const name of await readdir(dir)) {
        if (name === 'taken' || /\.(crdownload|part)$/.test(name)) continue;
        const path = join(dir, name);
        // Written whole: the size holds still and no partial file is left beside it.
        const size = (await stat(path)).size;
        await sleep(50);
        const names = await readdir(dir);
        if ((await stat(path)).size !== size || names.some((n) => n.startsWith(name) && n !== name)) continue;
        // Moved aside, so that the next download of the same name is seen as new.
        this.ownContext.taken += 1;
        const kept = join(dir, 'taken', String(this.ownContext.taken));
        await mkdir(kept, { recursive: true });
        await rename(path, join(kept, name));
        return { suggestedFilename: () => name, path: async () => join(kept, name) };
      }
    }
    throw new Error(`no download within ${timeout} ms`);
  }
}

class Frame extends Document {
  constructor(page, inner) {
    super(inner);
    this.page = page;
  }
}
