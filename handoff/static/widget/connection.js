/*
 * The widget's socket (namespace "/", docs/protocol.md): on every (re)connection
 * `session_request` with the stored chat id and the page's token, then `resume` from the
 * highest message number shown, page after page; "Reconnecting…" while away, "connection
 * refused" when the Origin check says no.
 */
import { backoff } from '../core/socket.js';
import { ACK_TIMEOUT_MS, CONFIG, RESUME_WAIT_MS, identityOf } from './support.js';

export function connect() {
  if (typeof window.io !== 'function') {
    this.setConn('error', 'widget.conn.unavailable');
    return;
  }
  const socket = this.socket = window.io(CONFIG.base, {
    path: '/socket.io',
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnection: true,
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    timeout: 10000,
    autoConnect: false
  });
  this.setConn('connecting', 'widget.conn.connecting');
  socket.on('connect', () => {
    this.failures = 0;
    this.generation += 1;
    this.startSession(this.generation);
  });
  socket.on('disconnect', (reason) => {
    this.connected = false;
    this.generation += 1;
    this.outbox.reset();
    this.hideBotTyping();
    if (reason === 'io server disconnect') {
      socket.connect(); // the server dropped us; come back
    }
    this.setConn('reconnecting', 'widget.conn.reconnecting');
    this.refreshPending();
  });
  socket.on('connect_error', (err) => {
    this.failures += 1;
    const message = err && err.message ? String(err.message) : '';
    if (/origin/i.test(message) || (!socket.active && this.failures >= 1)) {
      this.setConn('error', 'widget.conn.refused');
      return;
    }
    if (this.failures >= 3) this.diagnose();
    else this.setConn(this.everConnected ? 'reconnecting' : 'connecting',
      this.everConnected ? 'widget.conn.reconnecting' : 'widget.conn.connecting');
  });
  socket.on('session_confirm', (id) => { this.onConfirm(id); });
  socket.on('bot_uttered', (message) => { this.onMessage(message); });
  socket.on('handoff_status', (status) => { this.onStatus(status); });
  socket.on('typing', (body) => { this.onAgentTyping(body); });
  socket.on('error', (body) => { this.onError(body); });

  window.addEventListener('offline', () => {
    // Don't hammer a dead network with reconnection attempts; come back when online.
    if (socket.connected || socket.active) {
      this.wentOffline = true;
      socket.disconnect();
      this.connected = false;
      this.generation += 1;
      this.outbox.reset();
      this.hideBotTyping();
      this.setConn('reconnecting', 'widget.conn.reconnecting');
      this.refreshPending();
    }
  });
  window.addEventListener('online', () => {
    if (this.wentOffline || !socket.connected) {
      this.wentOffline = false;
      if (!socket.connected) socket.connect();
    }
  });
  socket.connect();
}

// After several failed attempts: is the gateway reachable at all? Reachable but the
// socket is refused means this origin is not allowed.
export function diagnose() {
  if (this.diagnosing) return;
  this.diagnosing = true;
  if (!navigator.onLine) {
    this.diagnosing = false;
    this.setConn('reconnecting', 'widget.conn.reconnecting');
    return;
  }
  fetch(CONFIG.base + '/healthz', { mode: 'no-cors', cache: 'no-store', credentials: 'omit' })
    .then(() => {
      if (!this.connected) {
        this.setConn('error', 'widget.conn.refusedRetrying');
      }
    }, () => {
      if (!this.connected) this.setConn('reconnecting', 'widget.conn.reconnecting');
    })
    .then(() => { this.diagnosing = false; });
}

// The connection line: `key` of its text in the catalogue ('' while connected).
export function setConn(kind, key) {
  this.connKind = kind;
  this.connKey = key || '';
  this.connStatus.textContent = key ? this.t(key) : '';
  this.connStatus.className = 'hc-conn' + (kind ? ' hc-conn--' + kind : '');
  this.root.classList.toggle('hc-root--offline', kind === 'reconnecting' || kind === 'error');
}

export function getToken() {
  const name = CONFIG.tokenCallback;
  const fn = name ? window[name] : null;
  if (typeof fn !== 'function') return Promise.resolve(null);
  return Promise.resolve().then(() => { return fn(); }).then((token) => {
    return typeof token === 'string' && token ? token : null;
  }, () => { return null; });
}

// `withLanguage`: the page's language goes with a new chat, or when the page changed it;
// rejoining a chat does not re-state it (the chat's language follows the user's words).
export function customData(withLanguage) {
  const custom = {};
  if (this.token) custom.token = this.token;
  if (CONFIG.country) custom.country = CONFIG.country;
  if (CONFIG.language && withLanguage) custom.language = CONFIG.language;
  return custom;
}

export function startSession(generation) {
  this.getToken().then((token) => {
    if (generation !== this.generation || !this.socket.connected) return;
    const who = identityOf(token);
    this.token = token;
    if (this.who !== null && this.who !== who && this.sessionId) {
      // signed in or out since this chat started: that chat isn't this person's
      this.sessionId = null;
      this.resetView();
    }
    this.who = who;
    const withLanguage = !this.sessionId || this.sentLanguage !== CONFIG.language;
    this.askedLanguage = withLanguage ? CONFIG.language : this.sentLanguage;
    const body = { customData: this.customData(withLanguage) };
    if (this.sessionId) body.session_id = this.sessionId;
    this.requestSession(generation, body, 0);
  });
}

// Ask for the chat; if the gateway can't open it yet (its store is down, or no answer),
// say so and ask again with backoff until it can (session_confirm ends this).
export function requestSession(generation, body, attempt) {
  clearTimeout(this.timers.session);
  this.socket.timeout(ACK_TIMEOUT_MS).emit('session_request', body, (err, ack) => {
    if (generation !== this.generation || this.connected) return;
    if (!err && ack && ack.ok !== false) return; // session_confirm came with it
    this.setConn('reconnecting', 'widget.conn.storeDown');
    this.timers.session = setTimeout(() => {
      if (generation === this.generation && this.socket.connected && !this.connected) {
        this.requestSession(generation, body, attempt + 1);
      }
    }, backoff(attempt));
  });
}

export function onConfirm(id) {
  if (typeof id !== 'string' || !id) return;
  const generation = this.generation;
  clearTimeout(this.timers.session);
  if (id !== this.sessionId) {
    this.resetView();
    this.sessionId = id;
  }
  if (typeof this.askedLanguage === 'string') {
    this.sentLanguage = this.askedLanguage; // the page's language this chat was told
  }
  this.save();
  this.connected = true;
  this.everConnected = true;
  this.setConn('', '');
  // Replays first (they go before anything still unsent), then what we still owe.
  
  this.replay(generation, () => {
    // the page changed its language while this chat was being asked for: tell it
    if (CONFIG.language && this.sentLanguage !== CONFIG.language) this.askAgain();
    else this.flush(generation);
  });
}

// Everything after the last message we have, a page at a time (the acknowledgement
// says `more` until we have caught up), then `done`.
export function replay(generation, done) {
  let finished = false;
  this.resuming = true;
  const end = () => {
    if (finished || generation !== this.generation) return;
    finished = true;
    this.resuming = false;
    clearTimeout(this.timers.resume);
    done();
  }
  const page = (after) => {
    clearTimeout(this.timers.resume);
    this.timers.resume = setTimeout(end, RESUME_WAIT_MS);
    this.socket.emit('resume', { session_id: this.sessionId, last_seq: after }, (ack) => {
      if (finished || generation !== this.generation) return;
      if (ack && ack.ok && typeof ack.latest === 'number' && ack.latest < after) {
        // the chat's history is gone (the gateway's store lost it): start over
        this.resetView();
        this.showNotice(this.t('widget.historyLost'));
        page(0);
        return;
      }
      if (ack && ack.ok && ack.more && typeof ack.last_seq === 'number' && ack.last_seq > after) {
        page(ack.last_seq);
      } else {
        end();
      }
    });
  }
  page(this.lastSeq);
}

