/*
 * The outbox: messages written but not yet stored by the gateway. Each keeps its
 * client_msg_id for life, so a message sent again (after a refusal that may be retried,
 * a missing acknowledgement or a reconnection) is stored once; it leaves the outbox when
 * the gateway acknowledges it or its echo arrives, whichever comes first.
 *
 *   const outbox = new Outbox({send, retryable: ['unavailable'], onStored, onFailed});
 *   outbox.add({text: 'hello'});   // entry {id, text, attempts: 0, inflight: false}
 *   outbox.flush();                 // sends every entry not in flight or waiting
 *
 * `send(entry)` emits it and resolves with the acknowledgement ({ok, code, ...}). A
 * retryable refusal waits `delay(attempt)` then flushes again, at most `maxRetries`
 * times; after that, or after any other refusal, the entry leaves with `onFailed`.
 * `reset()` (a lost connection) forgets what is in flight: answers to sends before it
 * are ignored, and the next flush sends those entries again under their ids.
 */
import { backoff, clientMsgId } from './socket.js';

export class Outbox {
  #generation = 0;
  #timers = new Map();

  constructor({
    send, retryable = [], maxRetries = Infinity, delay = backoff, prefix = 'm',
    canSend = () => true, onStored = () => {}, onRetry = () => {}, onFailed = () => {},
    onChange = () => {}, setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (id) => clearTimeout(id),
  }) {
    Object.assign(this, {
      send, retryable, maxRetries, delay, prefix, canSend, onStored, onRetry, onFailed,
      onChange, setTimer, clearTimer,
    });
    this.entries = [];
  }

  /** A new entry (its `id` made here unless given), kept until stored or failed. */
  add(fields) {
    const entry = { ...fields, id: fields.id ?? clientMsgId(this.prefix), attempts: 0,
      inflight: false, waiting: false };
    this.entries.push(entry);
    this.onChange();
    return entry;
  }

  get(id) {
    return this.entries.find((entry) => entry.id === id) ?? null;
  }

  /** Whether anything has been sent and not answered yet. */
  get inflight() {
    return this.entries.some((entry) => entry.inflight);
  }

  /** Sends every entry that is neither in flight nor waiting for its retry. */
  flush() {
    if (!this.canSend()) return;
    for (const entry of this.entries) {
      if (!entry.inflight && !entry.waiting) this.#emit(entry);
    }
  }

  /** Sends one entry now (again): a "Retry" the user asked for starts its count anew. */
  retry(entry) {
    this.#cancel(entry);
    entry.attempts = 0;
    if (!this.entries.includes(entry)) this.entries.push(entry);
    this.onChange();
    if (this.canSend() && !entry.inflight) this.#emit(entry);
  }

  /** The gateway has it (its echo came before the acknowledgement): it leaves the outbox. */
  confirm(id) {
    const entry = this.get(id);
    if (entry) this.#remove(entry);
    return entry;
  }

  /** The connection is gone: nothing is in flight any more. */
  reset() {
    this.#generation += 1;
    for (const entry of this.entries) entry.inflight = false;
  }

  /** Forget everything (a new conversation). */
  clear() {
    this.reset();
    for (const entry of this.entries) this.#cancel(entry);
    this.entries = [];
    this.onChange();
  }

  #emit(entry) {
    const generation = this.#generation;
    entry.inflight = true;
    Promise.resolve(this.send(entry)).then((ack) => {
      if (generation !== this.#generation) return; // a reconnection sends it again
      entry.inflight = false;
      this.#settle(entry, ack && typeof ack === 'object' ? ack : { ok: true });
    });
  }

  #settle(entry, ack) {
    if (ack.ok !== false) {
      this.#remove(entry);
      this.onStored(entry, ack);
      return;
    }
    if (this.retryable.includes(ack.code) && entry.attempts < this.maxRetries) {
      const wait = this.delay(entry.attempts);
      entry.attempts += 1;
      entry.waiting = true;
      this.#timers.set(entry, this.setTimer(() => {
        this.#timers.delete(entry);
        entry.waiting = false;
        this.flush();
      }, wait));
      this.onRetry(entry, ack);
      return;
    }
    this.#remove(entry);
    this.onFailed(entry, ack);
  }

  #cancel(entry) {
    if (this.#timers.has(entry)) this.clearTimer(this.#timers.get(entry));
    this.#timers.delete(entry);
    entry.waiting = false;
  }

  #remove(entry) {
    this.#cancel(entry);
    const before = this.entries.length;
    this.entries = this.entries.filter((other) => other !== entry);
    if (this.entries.length !== before) this.onChange();
  }
}
