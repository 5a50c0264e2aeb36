// Both languages: every view, opened in Russian and worked a little (a cell pointed at, a
// bad setting, the shortcut list), shows no English word; in English no Russian one; the
// browser's language decides when the URL does not; the switch changes every text in place
// and writes lang= to the URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serve, launch, waitForMap, query, screenshot, assertNoConsoleErrors } from './harness.js';
/** Opens the 'More settings' disclosure, where the rarely used controls are. */
const openMore = (page) => page.evaluate(() => { document.getElementById('more').open = true; });


let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

/** Opens `url` in a browser context with `locale`, recording console errors. */
async function openIn(url, locale = 'en-US') {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, locale });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(url);
  return page;
}

/**
 * Every text a reader meets: visible text nodes, and the aria-label, title, placeholder
 * and alt of visible elements, the options of visible menus and the page title. Code
 * (the PyTorch lines, the layer column, key caps) is left out: it is code in both languages.
 */
async function texts(page) {
  return page.evaluate(() => {
    const out = [document.title];
    const visible = (e) => e.checkVisibility({ visibilityProperty: true })
      && e.getClientRects().length > 0;
    const code = (e) => e.closest('code, kbd, td.code, script, style, noscript');
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (node.data.trim() && parent && !code(parent) && visible(parent)) out.push(node.data);
    }
    for (const e of document.body.querySelectorAll('*')) {
      if (code(e) || !visible(e)) continue;
      for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
        if (e.getAttribute(name)) out.push(e.getAttribute(name));
      }
      if (e.tagName === 'SELECT') {
        for (const o of e.querySelectorAll('option, optgroup')) out.push(o.label || o.textContent);
      }
    }
    return out.map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
  });
}

// Names, units and symbols both languages write the same way; URL values and PyTorch's
// names (padding 'same', max pooling) are code a student types.
const KEPT = new Set([
  'PyTorch', 'ReLU', 'RGB', 'RGBA', 'PNG', 'GIF', 'JPEG', 'WebP', 'BMP', 'LeNet', 'AlexNet',
  'VGG', 'ImageNet', 'Conv2d', 'MaxPool2d', 'AvgPool2d', 'torch', 'torchvision', 'FLOPs',
  'Rust', 'WebAssembly', 'JavaScript', 'convlens', 'scikit', 'CC0', 'Esc', 'Tab', 'Enter',
  'https', 'localhost', 'max', 'mean', 'min', 'clamp', 'round', 'rgb', 'same', 'valid',
  'groups', 'Distill',
  // The face detector and its networks: P-Net, R-Net (MTCNN).
  'MTCNN', 'Net',
  // The lecture's table of architectures.
  'ResNet', 'Inception', 'DenseNet', 'EfficientNet', 'GoogLeNet', 'MobileNet',
  // torchvision's builders and block classes, as code names them.
  'lenet5', 'alexnet', 'vgg16', 'resnet50', 'densenet121', 'Bottleneck', 'BasicBlock',
  // The training view: the data set and the optimizers, by their names.
  'MNIST', 'Adam', 'SGD',
]);

/** The Latin words of three letters or more in `text` that are not kept on purpose. */
function englishWords(text) {
  return (text
    .replace(/scikit-image/g, '')
    // Symbols with subscripts: H_out, C_in, K_h.
    .replace(/\b\w+_\w+\b/g, '')
    .match(/[A-Za-z][A-Za-z0-9]{2,}/g) ?? [])
    .filter((w) => (w.match(/[A-Za-z]/g) ?? []).length >= 3 && !KEPT.has(w));
}

/** Asserts no visible text has an English word; names the texts that do. */
async function assertRussian(page, where) {
  const bad = (await texts(page))
    .map((t) => [t, englishWords(t)])
    .filter(([, words]) => words.length > 0);
  assert.deepEqual(bad, [], `English left in ${where}`);
}

/** Asserts no visible text has a Russian letter. */
async function assertEnglish(page, where) {
  const bad = (await texts(page)).filter((t) => /[а-яё]/i.test(t));
  assert.deepEqual(bad, [], `Russian left in ${where}`);
}

/** Points at the middle cell of a map canvas. */
async function pointAtMiddle(page, testid) {
  const box = await page.locator(`[data-testid=${testid}]`).boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
}

/** Opens the shortcut list, checks it, and closes it again. */
async function checkHelp(page, check, where) {
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('?');
  await page.waitForSelector('#help:not([hidden])');
  await check(page, `${where}, shortcut list`);
  await page.keyboard.press('Escape');
}

const views = {
  async conv(page) {
    await waitForMap(page);
    await pointAtMiddle(page, 'feature-map');
    await page.waitForSelector('#arithmetic .channel');
  },
  async pool(page) {
    await waitForMap(page, 'pooled-map');
    await pointAtMiddle(page, 'pooled-map');
    await page.waitForSelector('#arithmetic .channel');
  },
  async steps(page) {
    await page.waitForSelector('[data-testid=steps-output] td');
    await page.click('#steps-forward');
  },
  async '1d'(page) {
    await page.waitForSelector('[data-testid=oned-rows] td.z');
    await page.locator('[data-testid=oned-rows] td.z').nth(2).hover();
  },
  async channels(page) {
    await page.waitForSelector('[data-testid=channels-grid] canvas');
  },
  async stack(page) {
    await page.waitForSelector('[data-testid=stack-map-0]');
    await pointAtMiddle(page, 'stack-map-0');
  },
  async blocks(page) {
    await page.waitForSelector('[data-testid=blocks-diagram][data-units="5"]');
    // A box picked (the first convolution): its layers and their counts.
    await page.locator('[data-testid=blocks-diagram]').click({ position: { x: 60, y: 90 } });
    await page.waitForSelector('[data-testid=blocks-picked] li.layer');
  },
  async transposed(page) {
    await page.waitForSelector('[data-testid=transposed-output] td');
    await page.click('#transposed-next');
    await page.locator('[data-testid=transposed-output] td').nth(7).hover();
    await page.waitForFunction(() => document.getElementById('transposed-cell').textContent !== '');
    await page.waitForSelector('[data-testid=checker-uneven-counts-text], #checker-uneven-counts-text');
  },
  async train(page) {
    // The run ready, its status, the chosen digit's prediction and the pictures in.
    await page.waitForSelector('[data-testid=train-status][data-state=ready]');
    await page.waitForSelector('[data-testid=train-prediction][data-source=test]');
  },
  async detect(page) {
    await page.waitForFunction(() => /\d/.test(document.querySelector('[data-testid=detect-summary]')?.textContent ?? ''), null, { timeout: 90_000 });
  },
};

for (const [view, work] of Object.entries(views)) {
  test(`${view}: no English word in Russian, no Russian word in English`, async () => {
    // A dilated kernel (its gaps in words), a bad parameter (a notice).
    const extra = '&size=64&dilation=2&stride=0';
    const page = await openIn(`${server.url}?lang=ru&view=${view}${extra}`);
    await work(page);
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    assert.match(await page.textContent('#notices'), /шаг: нужно целое число от 1 до 16/);
    await assertRussian(page, view);
    await checkHelp(page, assertRussian, view);
    // A bad value typed in: the message is Russian too.
    if (view === 'conv' || view === 'steps' || view === '1d') {
      await openMore(page);
      await page.fill('[data-testid=padding-custom]', '99');
      await page.press('[data-testid=padding-custom]', 'Enter');
      await page.waitForSelector('#message:not([hidden])');
      assert.match(await page.textContent('#message'), /отступ: нужно целое число/);
      await assertRussian(page, `${view}, bad padding`);
    }
    if (view === 'conv') {
      // A kernel cell that is not a number.
      await page.fill('[data-testid=kernel-cell-1-2]', '?');
      await page.waitForFunction(() => /строка 2, столбец 3/.test(document.getElementById('message').textContent));
      await assertRussian(page, 'conv, bad kernel cell');
      // An invalid combination: padding 'same' at stride 2.
      await page.check('input[name=padding][value=same]', { force: true });
      await page.check('input[name=stride][value="2"]', { force: true });
      await page.waitForSelector('#message:not([hidden])');
      assert.match(await page.textContent('#message'), /только при шаге 1/);
      await assertRussian(page, 'conv, padding same at stride 2');
    }
    await screenshot(page, `i18n-ru-${view}`);
    assertNoConsoleErrors(page);

    const english = await openIn(`${server.url}?lang=en&view=${view}${extra}`, 'ru-RU');
    await work(english);
    assert.equal(await english.getAttribute('html', 'lang'), 'en');
    await assertEnglish(english, view);
    await checkHelp(english, assertEnglish, view);
    assertNoConsoleErrors(english);
    await page.context().close();
    await english.context().close();
  });
}

test('the browser language decides without lang=, and is not written to the URL', async () => {
  const page = await openIn(`${server.url}?size=64`, 'ru-RU');
  await waitForMap(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'ru');
  assert.equal(await page.textContent('label:has(input[name=view][value=conv]) span'), 'Свёртка');
  assert.equal(await page.isChecked('input[name=lang][value=ru]'), true);
  assert.equal(new URLSearchParams(await query(page)).get('lang'), null);
  await assertRussian(page, 'ru-RU browser');
  await page.context().close();
  const english = await openIn(`${server.url}?size=64`, 'en-US');
  await waitForMap(english);
  assert.equal(await english.getAttribute('html', 'lang'), 'en');
  await assertEnglish(english, 'en-US browser');
  await english.context().close();
});

test('the switch changes every text in place and writes lang= to the URL', async () => {
  const page = await openIn(`${server.url}?size=64&dilation=2&stride=0`);
  await waitForMap(page);
  await pointAtMiddle(page, 'feature-map');
  await page.waitForSelector('#arithmetic .channel');
  // A bad value shown before the switch is said again in the new language.
  await openMore(page);
  await page.fill('[data-testid=padding-custom]', '99');
  await page.press('[data-testid=padding-custom]', 'Enter');
  await page.waitForSelector('#message:not([hidden])');
  await page.evaluate(() => { window.notReloaded = true; });
  await page.click('label:has(input[name=lang][value=ru])');
  await page.waitForFunction(() => document.documentElement.lang === 'ru');
  assert.equal(new URLSearchParams(await query(page)).get('lang'), 'ru');
  assert.equal(await page.evaluate(() => window.notReloaded), true);
  assert.equal(await page.textContent('#help-open'), '? Клавиши');
  assert.match(await page.textContent('#input-caption'), /^Фото «астронавт»: \d+ × \d+ пикселей \(В × Ш\)/);
  await assertRussian(page, 'after switching to Russian');
  await checkHelp(page, assertRussian, 'after switching to Russian');
  for (const view of ['pool', 'steps', '1d', 'channels', 'stack', 'conv']) {
    await page.check(`input[name=view][value="${view}"]`, { force: true });
    await page.waitForFunction((v) => document.body.dataset.view === v, view);
    if (view === 'stack') await page.waitForSelector('[data-testid=stack-map-0]');
    await assertRussian(page, `${view} after the switch`);
  }
  await page.click('label:has(input[name=lang][value=en])');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(new URLSearchParams(await query(page)).get('lang'), 'en');
  assert.equal(await page.textContent('#help-open'), '? Shortcuts');
  await assertEnglish(page, 'after switching back to English');
  // The chosen language survives a reload through the URL.
  await page.reload();
  await waitForMap(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assertNoConsoleErrors(page);
  await page.context().close();
});
