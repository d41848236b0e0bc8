/*
 * The chat widget: one object holding the conversation's state in this page, its
 * methods written by concern in the modules below (mixed into Widget.prototype, so each
 * can call the others as this.method()).
 */
import { readJson, writeJson } from '../core/storage.js';
import { Outbox } from '../core/outbox.js';
import * as connection from './connection.js';
import * as copy from './copy.js';
import * as csat from './csat.js';
import * as messages from './messages.js';
import * as panel from './panel.js';
import * as sending from './sending.js';
import * as status from './status.js';
import { CONFIG, RETRYABLE, supportedLanguage, translator } from './support.js';
import * as view from './view.js';

export class Widget {
  constructor() {
    const stored = readJson(CONFIG.storageKey);
    this.sessionId = typeof stored.sid === 'string' ? stored.sid : null;
    this.who = typeof stored.who === 'string' ? stored.who : null; // identity of the chat
    this.isOpen = false; // a new page starts with the panel closed (unread count on the launcher)
    this.lastSeen = typeof stored.seen === 'number' ? stored.seen : 0;
    this.outbox = new Outbox({
      prefix: 'w',
      retryable: RETRYABLE,
      send: (entry) => this.emitMessage(entry),
      onStored: (entry, ack) => this.onStored(entry, ack),
      onRetry: (entry) => this.onRetry(entry),
      onFailed: (entry, ack) => this.onFailed(entry, ack),
      onChange: () => this.save(),
    });
    // messages written on an earlier page and not stored yet: sent with their ids
    for (const m of Array.isArray(stored.outbox) ? stored.outbox : []) {
      if (m && typeof m.id === 'string' && typeof m.text === 'string') {
        this.outbox.entries.push({ id: m.id, text: m.text, title: m.title, ts: m.ts,
          attempts: 0, inflight: false, waiting: false });
      }
    }
    this.token = null;
    this.socket = null;
    this.connected = false; // socket connected and session confirmed
    this.everConnected = false;
    this.failures = 0;
    this.generation = 0; // bumps on every connection; stale acks are ignored
    this.state = 'bot';
    this.agentName = '';
    this.bySeq = {}; // seq -> message element
    this.byClientId = {}; // client_msg_id -> message element
    this.lastSeq = 0;
    this.csatPending = false;
    this.csatDone = false;
    this.hadAgent = false; // an agent had this chat: its copy is offered once finished
    this.lastTypingEmit = 0;
    this.timers = {};
    this.labels = []; // [node, attribute, key]: the static texts, for a language change
    // the page's language, and the chat's as the gateway last reported it (see status.js)
    this.pageLanguage = supportedLanguage(CONFIG.language);
    this.chatLanguage = supportedLanguage(stored.chatLang);
    this.sentLanguage = typeof stored.pageLang === 'string' ? stored.pageLang : '';
    const pageChanged = this.pageLanguage && CONFIG.language !== this.sentLanguage;
    this.lang = supportedLanguage(pageChanged ? this.pageLanguage : stored.lang) ||
      this.pageLanguage || supportedLanguage(navigator.language) || 'en';
    this.t = translator(this.lang);
    this.build();
    this.applyLanguage();
  }

  /** What a reload needs (docs/pages.md): the chat, what was seen, the outbox, languages. */
  save() {
    writeJson(CONFIG.storageKey, {
      sid: this.sessionId, who: this.who, seen: this.lastSeen,
      lang: this.lang, chatLang: this.chatLanguage || undefined,
      pageLang: this.sentLanguage || undefined,
      outbox: this.outbox.entries.map(({ id, text, title, ts }) => ({ id, text, title: title || undefined, ts })),
    });
  }
}

Object.assign(Widget.prototype, view, csat, copy, panel, connection, sending, messages, status);
