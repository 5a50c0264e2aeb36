// The training view (view=train): LeNet-5 learns the MNIST digits in a Web Worker.
// Real clicks: start, the test accuracy passes 90 %, the curves' and kernels' pixels
// change as it learns, pause holds the step and resume goes on, a digit drawn with the
// mouse gets a prediction, a misclassified digit picked shows its own, the URL round
// trips, bad settings are refused in both languages without breaking the page, and a
// learned first-layer kernel picked with a click opens in the convolution view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  serve, launch, open, readCanvas, query, screenshot, assertNoConsoleErrors,
  assertMapMatchesCore, oracle,
} from './harness.js';

let server;
let browser;
before(async () => { server = await serve(); browser = await launch(); });
after(async () => { await browser?.close(); await server?.close(); });

const plain = (text) => text.replace(/[\u2009\u00a0]/g, ' ');
const status = (page) => page.evaluate(() => {
  const box = document.querySelector('[data-testid=train-status]');
  return { state: box.dataset.state, step: Number(box.dataset.step), test: Number(box.dataset.test), text: box.textContent };
});
const waitFor = (page, fn, arg, timeout = 30000) => page.waitForFunction(fn, arg, { timeout });
const waitForState = (page, state, timeout) => waitFor(
  page, (s) => document.querySelector('[data-testid=train-status]')?.dataset.state === s, state, timeout,
);

/** The distinct colours of a canvas, and its pixels as one string to compare. */
async function picture(page, testid) {
  const canvas = await readCanvas(page, testid);
  const colours = new Set();
  for (let i = 0; i < canvas.data.length; i += 4) {
    colours.add((canvas.data[i] << 16) | (canvas.data[i + 1] << 8) | canvas.data[i + 2]);
  }
  return { width: canvas.width, height: canvas.height, colours: colours.size, bytes: canvas.data.toString('base64') };
}

/** Draws a stroke with the mouse through `points` (fractions of the pad). */
async function stroke(page, points) {
  const box = await page.evaluate(() => document.querySelector('[data-testid=train-pad]').getBoundingClientRect().toJSON());
  const at = ([fx, fy]) => [box.x + fx * box.width, box.y + fy * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const point of points.slice(1)) await page.mouse.move(...at(point), { steps: 4 });
  await page.mouse.up();
}

test('LeNet-5 learns: start, accuracy above 90 %, curves and kernels change, pause and resume, a drawn digit is predicted', async () => {
  const page = await open(browser, `${server.url}?view=train`, { viewport: { width: 1440, height: 900 } });
  await waitForState(page, 'ready');
  assert.equal(plain(await page.textContent('[data-testid=train-parameters]')), '61 706 learned parameters');
  assert.match(await page.inputValue('[data-testid=train-net]'), /^input\(1,28,28\);conv\(6,5,1,2,1\);relu;max\(2,2\)/);
  const before = { curves: await picture(page, 'train-curves'), kernels: await picture(page, 'train-kernels1') };
  assert.ok(before.curves.width > 100 && before.kernels.width > 50, 'the pictures are drawn before training');
  assert.ok(before.kernels.colours > 20, `the initial kernels have ${before.kernels.colours} colours`);
  const untrained = (await status(page)).test;
  assert.ok(untrained < 0.3, `an untrained network guesses: ${untrained}`);

  await page.click('[data-testid=train-start]');
  await waitForState(page, 'running');
  assert.equal(await page.textContent('[data-testid=train-start]'), 'Pause');
  // Within two epochs the test accuracy passes 90 %.
  await waitFor(page, () => Number(document.querySelector('[data-testid=train-status]').dataset.test) > 0.9, null, 90000);
  const learnt = await status(page);
  assert.ok(learnt.step > 0 && learnt.step < 500, `step ${learnt.step}`);
  const after = { curves: await picture(page, 'train-curves'), kernels: await picture(page, 'train-kernels1') };
  assert.notEqual(after.curves.bytes, before.curves.bytes, 'the curves grew');
  assert.notEqual(after.kernels.bytes, before.kernels.bytes, 'the kernels changed');
  assert.ok(after.curves.colours > 10, 'the curves have lines');
  const second = await picture(page, 'train-kernels2');
  assert.ok(second.width > before.kernels.width && second.colours > 20, 'the second layer has 16 × 6 kernels');
  const confusion = await picture(page, 'train-confusion');
  assert.ok(confusion.colours > 10, 'the confusion matrix is filled in');

  // Pause holds the step; resume goes on from it.
  await page.click('[data-testid=train-start]');
  await waitForState(page, 'paused');
  assert.equal(await page.textContent('[data-testid=train-start]'), 'Resume');
  const held = (await status(page)).step;
  await new Promise((resolve) => setTimeout(resolve, 800));
  assert.equal((await status(page)).step, held, 'no step while paused');
  await page.click('[data-testid=train-start]');
  await waitFor(page, (s) => Number(document.querySelector('[data-testid=train-status]').dataset.step) > s, held);
  await page.click('[data-testid=train-start]');
  await waitForState(page, 'paused');

  // A 7 drawn with the mouse: a bar and a slanted stroke.
  const probabilities = await picture(page, 'train-probabilities');
  await stroke(page, [[0.25, 0.2], [0.75, 0.2], [0.45, 0.85]]);
  await waitFor(page, () => document.querySelector('[data-testid=train-prediction]')?.dataset.source === 'drawn');
  const predicted = Number(await page.getAttribute('[data-testid=train-prediction]', 'data-predicted'));
  assert.ok(predicted >= 0 && predicted <= 9);
  assert.match(await page.textContent('[data-testid=train-prediction]'), /^Your digit: the network says \d \(\d+\.\d %\)\.$/);
  assert.notEqual((await picture(page, 'train-probabilities')).bytes, probabilities.bytes, 'the bars are the drawing\'s');
  const digit = await readCanvas(page, 'train-digit');
  // The drawing, made like an MNIST digit (20×20 in 28×28, shown 4 times larger), has
  // its ink inside, next to nothing in the outer 2 pixels.
  const ink = (x, y) => 255 - digit.data[(y * digit.width + x) * 4];
  let centre = 0;
  let edge = 0;
  for (let y = 0; y < digit.height; y += 1) {
    for (let x = 0; x < digit.width; x += 1) {
      const border = x < 8 || y < 8 || x >= digit.width - 8 || y >= digit.height - 8;
      if (border) edge += ink(x, y); else centre += ink(x, y);
    }
  }
  assert.ok(centre > 0 && edge < centre / 20, `ink ${centre} inside, ${edge} at the edge`);

  // A misclassified test digit picked: its prediction is shown, and it is wrong.
  await page.evaluate(() => document.querySelector('[data-testid=train-wrong]').scrollIntoView({ block: 'center' }));
  const wrong = await page.evaluate(() => document.querySelector('[data-testid=train-wrong]').getBoundingClientRect().toJSON());
  const scale = wrong.width / (await page.evaluate(() => document.querySelector('[data-testid=train-wrong]').width));
  await page.mouse.click(wrong.x + 30 * scale, wrong.y + 30 * scale);
  await waitFor(page, () => document.querySelector('[data-testid=train-prediction]')?.dataset.source === 'test');
  const said = await page.textContent('[data-testid=train-prediction]');
  const [, label, answer] = said.match(/is a (\d); the network says (\d)/);
  assert.notEqual(label, answer, said);

  // Russian: the status and the prediction in words of the other language.
  await page.click('label:has(input[name=lang][value=ru])');
  await waitFor(page, () => document.querySelector('[data-testid=train-status]').textContent.startsWith('Эпоха'));
  assert.equal(await page.textContent('[data-testid=train-start]'), 'Продолжить');
  await screenshot(page, 'train-1440');
  assertNoConsoleErrors(page);
});

test('the settings round-trip through the URL; bad ones are refused in both languages and the view keeps working', async () => {
  const settings = 'view=train&net=input(1,28,28);flatten;linear(32);relu;linear(10)&optimizer=sgd&lr=0.05&batch=64&epochs=2&seed=3';
  const page = await open(browser, `${server.url}?${settings}`, { viewport: { width: 1440, height: 900 } });
  await waitForState(page, 'ready');
  const own = (q) => ['view', 'net', 'optimizer', 'lr', 'batch', 'epochs', 'seed']
    .map((key) => `${key}=${new URLSearchParams(q).get(key)}`).join('&');
  assert.equal(own(await query(page)), settings);
  assert.equal(plain(await page.textContent('[data-testid=train-parameters]')), '25 450 learned parameters');
  assert.equal(await page.inputValue('[data-testid=train-lr]'), '0.05');
  assert.match((await status(page)).text, /step 0 of 250/);

  for (const [bad, en, ru] of [
    ['lr=NaN', /the learning rate must be from 0 to 10, not NaN/, /скорость обучения/],
    ['net=input(1,28,28);conv(6,5', /./, /[а-я]/],
    ['net=input(1,28,28);flatten;linear(7)', /the last layer must give 10 scores/, /[а-я]/],
  ]) {
    for (const lang of ['en', 'ru']) {
      const broken = await open(browser, `${server.url}?view=train&${bad}&lang=${lang}`, { viewport: { width: 1440, height: 900 } });
      await waitForState(broken, 'ready');
      const notices = await broken.textContent('#notices');
      assert.match(notices, lang === 'en' ? en : ru, `${bad} ${lang}: ${notices}`);
      // The default is kept and trains.
      assert.equal(plain(await broken.textContent('[data-testid=train-parameters]')).replace(/\D/g, ''), '61706');
      await broken.close?.();
    }
  }
  // A bad value typed into the field: refused with a message, the rate in use kept.
  await page.fill('[data-testid=train-lr]', 'abc');
  await page.press('[data-testid=train-lr]', 'Enter');
  await waitFor(page, () => !document.querySelector('#message').hidden);
  assert.match(await page.textContent('#message'), /learning rate must be a number, not 'abc'/);
  assert.equal(await page.inputValue('[data-testid=train-lr]'), '0.05');
  assert.equal(own(await query(page)), settings);
  // A good value is taken: a fresh run with it (the URL says so).
  await page.fill('[data-testid=train-epochs]', '3');
  await page.dispatchEvent('[data-testid=train-epochs]', 'change');
  await waitFor(page, () => location.search.includes('epochs=3'));
  await waitFor(page, () => /step 0 of 375/.test(document.querySelector('[data-testid=train-status]').textContent));
  await page.click('[data-testid=train-start]');
  await waitFor(page, () => Number(document.querySelector('[data-testid=train-status]').dataset.step) > 10);
  assertNoConsoleErrors(page);
});

test('a learned first-layer kernel, picked with a click, is applied to the photo in the convolution view', async () => {
  const page = await open(browser, `${server.url}?view=train`, { viewport: { width: 1440, height: 900 } });
  await waitForState(page, 'ready');
  await page.click('[data-testid=train-start]');
  await waitFor(page, () => Number(document.querySelector('[data-testid=train-status]').dataset.step) >= 30);
  await page.click('[data-testid=train-start]');
  await waitForState(page, 'paused');
  const step = (await status(page)).step;
  assert.equal(await page.inputValue('[data-testid=train-kernel]'), '1');
  // A click on the third column of the first layer's picture chooses filter 3 (outlined).
  const unpicked = await picture(page, 'train-kernels1');
  await page.evaluate(() => document.querySelector('[data-testid=train-kernels1]').scrollIntoView({ block: 'center' }));
  const box = await page.evaluate(() => document.querySelector('[data-testid=train-kernels1]').getBoundingClientRect().toJSON());
  const columns = 6;
  await page.mouse.click(box.x + box.width * 2.5 / columns, box.y + box.height / 3);
  await waitFor(page, () => document.querySelector('[data-testid=train-kernel]').value === '3');
  assert.notEqual((await picture(page, 'train-kernels1')).bytes, unpicked.bytes, 'the chosen filter is outlined');
  assert.equal((await status(page)).step, step, 'still paused');

  await page.click('[data-testid=train-apply]');
  await waitFor(page, () => new URLSearchParams(location.search).get('view') === 'conv');
  await page.waitForFunction(() => document.querySelectorAll('#kernel-grid input').length === 25);
  const q = new URLSearchParams(await query(page));
  assert.equal(q.get('channel'), 'gray');
  const rows = q.get('weights').split(';').map((row) => row.split(','));
  assert.equal(rows.length, 5);
  for (const row of rows) assert.equal(row.length, 5);
  const weights = rows.flat();
  // Learned numbers, not a preset's, rounded to 4 decimals as the note says.
  assert.ok(new Set(weights).size >= 20, weights.join(' '));
  for (const w of weights) {
    assert.match(w, /^-?\d\.\d{1,4}$|^-?\d$/, w);
    assert.ok(Math.abs(Number(w)) < 2, w);
  }
  assert.ok(weights.filter((w) => /\.\d{4}$/.test(w)).length >= 15, `4 decimals: ${weights.join(' ')}`);
  assert.equal(q.get('display'), 'normalize');
  // The grid shows every weight whole, inside its panel.
  const cut = await page.$$eval('#kernel-grid input', (cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.value));
  assert.deepEqual(cut, [], 'no weight is cut');
  const panel = await page.evaluate(() => document.querySelector('.kernel-panel').getBoundingClientRect().toJSON());
  const right = await page.$$eval('#kernel-grid input', (cells) => Math.max(...cells.map((c) => c.getBoundingClientRect().right)));
  assert.ok(right <= panel.x + panel.width, `the grid stays in its panel: ${right} > ${panel.x + panel.width}`);
  assert.deepEqual(await page.$$eval('#kernel-grid input', (cells) => cells.map((c) => c.value)), weights);
  const note = await page.textContent('#notices');
  assert.ok(note.includes(`The kernel is filter 3 of layer 1 as the training view learned it after ${step} steps (its weights rounded to 4 decimals`), note);

  // The map is the learned kernel's, exactly as the core computes it, and not the
  // default kernel's.
  const { map, input } = await assertMapMatchesCore(page);
  const colours = new Set();
  for (let i = 0; i < map.data.length; i += 4) colours.add(map.data[i]);
  assert.ok(colours.size > 10, `the map has ${colours.size} grey levels`);
  const usualQuery = new URLSearchParams(q);
  usualQuery.delete('weights');
  usualQuery.delete('kernel');
  const usual = oracle(usualQuery.toString(), input);
  assert.ok(!usual.rgba.equals(map.data), 'the default kernel gives another map');
  await screenshot(page, 'train-kernel-conv-1440');
  // Another kernel chosen: the note about the learned one goes.
  await page.selectOption('select[name=kernel]', 'gaussian-5');
  await waitFor(page, () => !document.querySelector('#notices').textContent.includes('The kernel is filter'));

  // In Russian, the button and the note.
  const ru = await open(browser, `${server.url}?view=train&lang=ru`, { viewport: { width: 1440, height: 900 } });
  await waitForState(ru, 'ready');
  assert.equal(await ru.textContent('[data-testid=train-apply]'), 'Применить к фото');
  await ru.click('[data-testid=train-apply]');
  await waitFor(ru, () => new URLSearchParams(location.search).get('view') === 'conv');
  assert.match(await ru.textContent('#notices'), /Ядро — фильтр 1 слоя 1, каким его выучила сеть за 0 шагов/);
  assertNoConsoleErrors(page);
  assertNoConsoleErrors(ru);
});
