// Bad input never breaks the demo. Each row of the table is one bad input: how to give
// it, and the words the page must answer with. After each, the demo must still work (a
// control change redraws the map exactly as the core computes it) and the console must
// hold no error.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, waitForMap, assertMapMatchesCore, change, query, png,
} from './harness.js';

/** Opens the 'More settings' disclosure, where the rarely used controls are. */
const openMore = (page) => page.evaluate(() => { document.getElementById('more').open = true; });

let server;
const browsers = {};
before(async () => { server = await serve(); });
after(async () => {
  for (const browser of Object.values(browsers)) await browser.close();
  await server?.close();
});

async function browserFor(camera = 'none') {
  browsers[camera] ??= await launch({ camera });
  return browsers[camera];
}

const typeInCell = (text) => async (page) => {
  await page.fill('[data-testid=kernel-cell-1-1]', text);
};
const upload = (name, mimeType, buffer) => async (page) => {
  await page.setInputFiles('[data-testid=upload]', { name, mimeType, buffer });
};
const hostile = encodeURIComponent('<img src=x onerror="window.pwned=1">');

// [name, url query, action (optional), where the words appear, what they say, options]
const table = [
  ['stride 0', 'stride=0', null, '#notices', /stride must be a whole number from 1 to 16, not '0'/],
  ['negative padding', 'padding=-1', null, '#notices', /padding must be a whole number from 0 to 16, not '-1'/],
  ['dilation 0', 'dilation=0', null, '#notices', /dilation must be a whole number from 1 to 16, not '0'/],
  ['stride far out of range', 'stride=99999999999999999999', null, '#notices', /stride must be a whole number from 1 to 16/],
  ['a kernel larger than the padded input', 'size=32&kernel=box-7&dilation=6', null, '#message',
    /effective kernel \(7x7 at dilation 6 covers 37x37\) is larger than the padded input \(32x32\)/],
  ["'same' padding at stride 2", 'size=64&padding=same&stride=2', null, '#message', /padding 'same' keeps the size only at stride 1/],
  ['an empty kernel cell', 'size=64', typeInCell(''), '#message', /row 2, column 2 \(empty\) is not a number/],
  ['a non-numeric kernel cell', 'size=64', typeInCell('seven'), '#message', /row 2, column 2 \(seven\) is not a number/],
  ['a NaN kernel cell', 'size=64', typeInCell('NaN'), '#message', /row 2, column 2 is NaN: every value must be a finite number/],
  ['an Infinity kernel cell', 'size=64', typeInCell('Infinity'), '#message', /row 2, column 2 is inf: every value must be a finite number/],
  ['a 1e38 kernel cell', 'size=64', typeInCell('1e38'), '#message', /row 2, column 2 is 1e38: weights must lie between -1000000 and 1000000/],
  ['a 1x1 image', 'size=full', upload('dot.png', 'image/png', png(1, 1, () => [200, 10, 10])), '#message',
    /effective kernel \(3x3\) is larger than the padded input \(1x1\)/],
  ['a non-image file', 'size=64', upload('notes.txt', 'text/plain', Buffer.from('not a picture')), '#message', /'notes.txt' is not an image/],
  ['a truncated PNG', 'size=64', upload('cut.png', 'image/png', png(40, 40, (x) => [x, x, x]).subarray(0, 30)), '#message',
    /'cut.png' could not be read as an image/],
  ['a file that lies about being a PNG', 'size=64', upload('fake.png', 'image/png', Buffer.from('GIF89a nonsense')), '#message',
    /'fake.png' could not be read as an image/],
  ['a 12000x12000 image', 'size=full', upload('huge.png', 'image/png', png(12000, 12000)), '#notices',
    /'huge.png' is 12000 × 12000 pixels \(H × W\): it was scaled down to 2048 × 2048/, { timeout: 60000 }],
  ['a refused camera', 'image=webcam&size=64', null, '#camera-status', /camera was refused.*demo goes on with a photo/, { camera: 'refused' }],
  ['no camera at all', 'image=webcam&size=64', null, '#camera-status', /no camera was found.*demo goes on with a photo/, { camera: 'missing' }],
  ['a camera that stops mid-stream', 'image=webcam&size=64', async (page) => {
    await page.waitForFunction(() => window.streams?.length > 0 && document.getElementById('camera-status').textContent.includes('Webcam on'));
    await page.evaluate(() => window.streams.forEach((s) => s.getTracks().forEach((t) => t.stop())));
  }, '#camera-status', /camera stopped sending frames.*demo goes on with a photo/, { camera: 'fake' }],
  ['an unknown parameter', 'size=64&colour=red', null, '#notices', /the parameter 'colour' is not known and was ignored/],
  ['a repeated parameter', 'size=64&stride=2&stride=3', null, '#notices', /'stride' is given more than once; the last value is used/],
  ['markup in the kernel parameter', `size=64&kernel=${hostile}`, null, '#notices', /there is no kernel called '<img src=x onerror="window.pwned=1">'/],
  ['script in the weights parameter', `size=64&weights=${encodeURIComponent('<script>window.pwned=1</script>')}`, null, '#notices',
    /\(<script>window.pwned=1<\/script>\) is not a number/],
  ['markup in the image parameter', `image=${encodeURIComponent('<b>bold</b>')}`, null, '#notices', /there is no image '<b>bold<\/b>'/],
  ['a path in the image parameter', 'image=../../etc/passwd', null, '#notices', /there is no image '..\/..\/etc\/passwd'/],
  ['ragged weights', 'size=64&weights=1,2,3;4,5', null, '#notices', /every row of the kernel must have the same length/],
  ['a 5000-column kernel', `size=64&weights=${Array(5000).fill(1).join(',')}`, null, '#notices', /the kernel width is 5000, more than the limit of 64/],
  ['an unknown view', 'view=gallery&size=64', null, '#notices', /there is no view 'gallery'; use conv, pool, steps, 1d, channels, stack, blocks, transposed, train or detect \(kept conv\)/],
  ['an unknown size', 'size=13', null, '#notices', /size must be full, 256, 128, 64 or 32, not '13'/],
  ['pool size 0', 'view=pool&size=64&pool_size=0', null, '#notices', /pool_size must be a whole number from 1 to 16, not '0'/],
  ['broken percent escapes and empty keys', 'size=64&%zz=%%&=&&&', null, '#notices', /the parameter '%zz' is not known/],
  ['text dropped instead of a file', 'size=64', async (page) => {
    const dataTransfer = await page.evaluateHandle(() => { const d = new DataTransfer(); d.setData('text/plain', 'hello'); return d; });
    await page.dispatchEvent('#input-panel', 'drop', { dataTransfer });
  }, '#message', /Only image files can be dropped here/],
];

test('the bad-input table has at least 25 rows', () => {
  assert.ok(table.length >= 25, `${table.length} rows`);
});

for (const [name, url, action, where, words, options = {}] of table) {
  test(`bad input: ${name}`, async () => {
    const browser = await browserFor(options.camera);
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, permissions: options.camera === 'fake' ? ['camera'] : [] });
    // Keep hold of camera streams so a test can stop them mid-stream.
    await context.addInitScript(() => {
      const devices = navigator.mediaDevices;
      if (!devices) return;
      const original = devices.getUserMedia.bind(devices);
      window.streams = [];
      devices.getUserMedia = async (constraints) => {
        const stream = await original(constraints);
        window.streams.push(stream);
        return stream;
      };
    });
    const page = await context.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}?${url}`);
    if (action) {
      await page.waitForFunction(() => document.getElementById('input-caption').textContent.includes('pixels'));
      await action(page);
    }
    const timeout = options.timeout ?? 15000;
    await page.waitForFunction(([selector, source]) => new RegExp(source).test(document.querySelector(selector)?.textContent ?? ''),
      [where, words.source], { timeout }).catch(async () => {
      assert.fail(`expected ${words} in ${where}, found: ${await page.textContent(where)}`);
    });
    assert.equal(await page.evaluate(() => window.pwned), undefined, 'nothing from the input ran');
    // The URL keeps only what is valid.
    const q = await query(page);
    assert.ok(!/%3C|<|colour|%zz|gallery/.test(q), `cleaned URL: ?${q}`);
    // Still works: pick a photo and change a control; the map is what the core computes.
    await page.selectOption('select[name=image]', 'chelsea');
    await openMore(page);
    await page.selectOption('select[name=size]', '64');
    await page.waitForFunction(() => /chelsea.*43 × 64/.test(document.getElementById('input-caption').textContent));
    const pool = (await page.getAttribute('body', 'data-view')) === 'pool';
    if (pool) {
      await change(page, () => page.check('input[name=pool][value="mean"]'));
    } else {
      for (const name of ['stride', 'dilation']) {
        if (!(await page.isChecked(`input[name=${name}][value="1"]`))) await page.check(`input[name=${name}][value="1"]`);
      }
      await change(page, () => page.selectOption('select[name=kernel]', 'sobel-top'));
    }
    const testid = pool ? 'pooled-map' : 'feature-map';
    await waitForMap(page, testid);
    await assertMapMatchesCore(page, testid);
    assert.equal(await page.isHidden('#message'), true, `no error left: ${await page.textContent('#message')}`);
    assert.deepEqual(errors, [], 'console errors');
    await context.close();
  });
}
