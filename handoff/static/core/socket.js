/*
 * The Socket.IO side both pages share: the vendored client (socket.io-client 4.8.1, a
 * classic script that defines window.io), events with acknowledgements that always
 * settle, and the backoff between retries.
 */
import { loadScript } from './dom.js';

/** window.io, loading GATEWAY/static/vendor/socket.io.min.js first when the page has none. */
export async function socketClient(base) {
  if (typeof globalThis.io !== 'function') await loadScript(`${base}/static/vendor/socket.io.min.js`);
  return typeof globalThis.io === 'function' ? globalThis.io : null;
}

/**
 * Emits `event` and resolves with its acknowledgement, always an object with `ok`:
 * {ok: false, code: 'offline'} without a socket, {ok: false, code: 'timeout'} when no
 * acknowledgement came within `timeoutMs`, code 'internal' for one that is not an object.
 */
export function request(socket, event, payload, timeoutMs) {
  if (!socket) return Promise.resolve({ ok: false, code: 'offline', message: 'not connected' });
  return new Promise((resolve) => {
    socket.timeout(timeoutMs).emit(event, payload, (err, ack) => {
      if (err) resolve({ ok: false, code: 'timeout', message: 'no answer from the server' });
      else if (ack && typeof ack === 'object') resolve(ack);
      else resolve({ ok: false, code: 'internal', message: 'unexpected answer' });
    });
  });
}

/** 1 s, 2 s, 4 s ... at most `max` ms, with jitter (±25 %) so a crowd does not retry in step. */
export function backoff(attempt, { max = 30000, jitter = true, random = Math.random } = {}) {
  const base = Math.min(max, 1000 * 2 ** Math.max(0, attempt));
  return jitter ? Math.round(base * (0.75 + random() * 0.5)) : base;
}

/** A client message id: `prefix` and 96 random bits in hex (the gateway stores a
 * message once per id, so a retry under the same id is harmless). */
export function clientMsgId(prefix) {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
