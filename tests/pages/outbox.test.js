// core/outbox.js: retries under the same client id, de-duplication (node --test tests/pages).
import assert from 'node:assert/strict';
import test from 'node:test';

import { Outbox } from '../../handoff/static/core/outbox.js';
import { backoff, clientMsgId, request } from '../../handoff/static/core/socket.js';

/** A gateway whose answers the test gives one by one; and timers it fires by hand. */
function harness(options = {}) {
  const sent = [];
  const timers = [];
  const events = [];
  const outbox = new Outbox({
    send: (entry) => new Promise((resolve) => sent.push({ id: entry.id, text: entry.text, resolve })),
    retryable: ['unavailable', 'timeout'],
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
    onStored: (entry, ack) => events.push(['stored', entry.id, ack.seq]),
    onRetry: (entry) => events.push(['retry', entry.id, entry.attempts]),
    onFailed: (entry, ack) => events.push(['failed', entry.id, ack.code]),
    delay: (attempt) => 1000 * 2 ** attempt,
    ...options,
  });
  return { outbox, sent, timers, events };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('a message refused for now is sent again with the same client id until stored', async () => {
  const { outbox, sent, timers, events } = harness();
  const entry = outbox.add({ text: 'hello' });
  outbox.flush();
  outbox.flush(); // in flight: not sent twice
  assert.equal(sent.length, 1);
  sent[0].resolve({ ok: false, code: 'unavailable' });
  await settle();
  assert.deepEqual(events, [['retry', entry.id, 1]]);
  assert.deepEqual(timers.map((t) => t.ms), [1000]);
  outbox.flush(); // waiting for its retry: not before
  assert.equal(sent.length, 1);
  timers[0].fn();
  sent[1].resolve({ ok: false, code: 'timeout' });
  await settle();
  assert.deepEqual(timers.map((t) => t.ms), [1000, 2000]);
  timers[1].fn();
  assert.deepEqual(sent.map((s) => s.id), [entry.id, entry.id, entry.id]);
  sent[2].resolve({ ok: true, seq: 7 });
  await settle();
  assert.deepEqual(events.at(-1), ['stored', entry.id, 7]);
  assert.deepEqual(outbox.entries, []);
});

test('a refusal that may not be retried, or too many, fails the message', async () => {
  const { outbox, sent, timers, events } = harness({ maxRetries: 1 });
  const tooLong = outbox.add({ text: 'x'.repeat(5000) });
  const flaky = outbox.add({ text: 'flaky' });
  outbox.flush();
  sent[0].resolve({ ok: false, code: 'too_large' });
  sent[1].resolve({ ok: false, code: 'unavailable' });
  await settle();
  timers[0].fn();
  sent[2].resolve({ ok: false, code: 'unavailable' });
  await settle();
  assert.deepEqual(events, [['failed', tooLong.id, 'too_large'], ['retry', flaky.id, 1],
    ['failed', flaky.id, 'unavailable']]);
  assert.deepEqual(outbox.entries, []);
  outbox.retry(flaky); // "Retry": sent again, same id
  assert.equal(sent.at(-1).id, flaky.id);
  assert.equal(flaky.attempts, 0);
});

test('its echo confirms a message once; a late acknowledgement does not resend it', async () => {
  const { outbox, sent, events } = harness();
  const entry = outbox.add({ text: 'hi' });
  outbox.flush();
  assert.equal(outbox.confirm(entry.id), entry); // the echo came first
  assert.equal(outbox.confirm(entry.id), null); // and only once
  outbox.flush();
  assert.equal(sent.length, 1);
  sent[0].resolve({ ok: true, seq: 3 });
  await settle();
  assert.deepEqual(events, [['stored', entry.id, 3]]);
});

test('after a lost connection, answers to earlier sends are ignored and the next flush resends', async () => {
  let connected = true;
  const { outbox, sent, events } = harness({ canSend: () => connected });
  const entry = outbox.add({ text: 'during a reconnect' });
  outbox.flush();
  connected = false;
  outbox.reset();
  outbox.flush();
  assert.equal(sent.length, 1);
  sent[0].resolve({ ok: false, code: 'timeout' }); // from the dead connection
  await settle();
  assert.deepEqual(events, []);
  connected = true;
  outbox.flush();
  assert.deepEqual(sent.map((s) => s.id), [entry.id, entry.id]);
  sent[1].resolve({ ok: true, seq: 1 });
  await settle();
  assert.deepEqual(events, [['stored', entry.id, 1]]);
});

test('client ids are unique and kept; entries may bring their own (a reload)', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => clientMsgId('w')));
  assert.equal(ids.size, 1000);
  assert.match([...ids][0], /^w[0-9a-f]{24}$/);
  const { outbox } = harness({ prefix: 'a' });
  assert.match(outbox.add({ text: 'x' }).id, /^a[0-9a-f]{24}$/);
  assert.equal(outbox.add({ id: 'w0123', text: 'y' }).id, 'w0123');
});

test('backoff doubles up to its ceiling, with jitter within a quarter', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 9].map((n) => backoff(n, { jitter: false })),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.equal(backoff(5, { max: 16000, jitter: false }), 16000);
  assert.equal(backoff(0, { random: () => 0 }), 750);
  assert.equal(backoff(0, { random: () => 0.999999 }), 1250);
});

test('request: an acknowledgement always settles, as an object with ok', async () => {
  const socket = (answer) => ({
    timeout: (ms) => ({ emit: (event, payload, cb) => answer(cb, ms, event, payload) }),
  });
  assert.deepEqual(await request(null, 'x', {}, 10), { ok: false, code: 'offline', message: 'not connected' });
  assert.equal((await request(socket((cb) => cb(new Error('timeout'))), 'x', {}, 10)).code, 'timeout');
  assert.equal((await request(socket((cb) => cb(null, 'what')), 'x', {}, 10)).code, 'internal');
  const seen = [];
  const ack = await request(socket((cb, ms, event, payload) => {
    seen.push(ms, event, payload);
    cb(null, { ok: true, seq: 4 });
  }), 'agent_message', { text: 'hi' }, 10000);
  assert.deepEqual(ack, { ok: true, seq: 4 });
  assert.deepEqual(seen, [10000, 'agent_message', { text: 'hi' }]);
});

test('the default timers are called as plain functions (a browser refuses setTimeout on another this)', async () => {
  const original = globalThis.setTimeout;
  const strict = function strictSetTimeout(fn, ms) {
    if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
    return original(fn, ms);
  };
  globalThis.setTimeout = strict;
  try {
    const outbox = new Outbox({ send: async () => ({ ok: false, code: 'unavailable' }),
      retryable: ['unavailable'], delay: () => 60000 });
    const entry = outbox.add({ text: 'x' });
    outbox.flush();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(entry.waiting, true);
    outbox.clear();
  } finally {
    globalThis.setTimeout = original;
  }
});
