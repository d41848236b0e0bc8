/*
 * The composer ("Reply"), built once and moved into the selected chat: drafts per chat
 * in sessionStorage, Enter sends, "/shortcut" then Tab (or "Canned reply") inserts a
 * canned reply with {agent} and {customer} filled in. A reply shows as "Sending…" until
 * stored; one not stored is sent again by itself (core/outbox.js: up to five times with
 * backoff, under the same client id), then shows "Not sent" with "Retry".
 */
import { clear, el } from '../core/dom.js';
import { Outbox } from '../core/outbox.js';
import { backoff } from '../core/socket.js';
import { session } from '../core/storage.js';
import { customerName, firstName, markGone } from './chats.js';
import { request } from './connection.js';
import { errorText, t } from './language.js';
import { notice } from './notices.js';
import { STORE, state, ui, withChat } from './state.js';
import { messageNode, placeMessage, scrollToEnd, timeNode } from './transcript.js';

const TYPING_EMIT_MS = 2000;
const pendingEntries = new WeakMap(); // pending message node -> its outbox entry

const outbox = new Outbox({
  prefix: 'a',
  send: ({ chat, node, id }) => {
    if (!state.chats.has(chat.id) || !node.classList.contains('msg--pending')) {
      return { ok: false, code: 'gone' }; // the chat left, or its echo came: nothing to send
    }
    return request('agent_message', { chat_id: chat.id, text: node.dataset.text, client_msg_id: id });
  },
  retryable: ['timeout', 'offline', 'unavailable', 'internal', 'rate_limited'],
  maxRetries: 5,
  delay: (attempt) => backoff(attempt, { max: 16000, jitter: false }),
  onStored: ({ chat, node }, ack) => {
    if (state.chats.has(chat.id)) confirmPending(chat, node, Number(ack.seq), null);
  },
  onRetry: ({ node }) => setState(node, 'console.msg.retrying'),
  onFailed: ({ chat, node }, ack) => {
    if (state.chats.has(chat.id)) failPending(chat, node, ack);
  },
});

function setState(node, key) {
  const line = node.querySelector('.msg-state');
  if (!line) return;
  line.textContent = t(key);
  line.setAttribute('data-i18n', key);
}

export function buildComposer() {
  ui.reply = el('textarea', {
    id: 'reply', className: 'reply', rows: '3', maxlength: '4000',
    'aria-describedby': 'reply-help', 'aria-autocomplete': 'list', 'aria-controls': 'suggest',
  });
  ui.suggest = el('ul', {
    className: 'suggest', id: 'suggest', role: 'listbox', 'aria-label': t('console.canned.list'),
    'data-i18n-aria-label': 'console.canned.list', hidden: true,
  });
  ui.canned = el('select', { id: 'canned', className: 'canned' });
  ui.send = el('button', {
    className: 'btn btn-primary', type: 'submit', text: t('console.send'), 'data-i18n': 'console.send',
  });
  ui.sendError = el('p', { className: 'form-error', role: 'alert' });
  ui.form = el('form', { className: 'composer', novalidate: true },
    el('label', { for: 'reply', className: 'composer-label', text: t('console.reply'),
      'data-i18n': 'console.reply' }),
    ui.reply,
    ui.suggest,
    el('p', { className: 'hint', id: 'reply-help', text: t('console.reply.help'),
      'data-i18n': 'console.reply.help' }),
    el('div', { className: 'composer-row' },
      el('div', { className: 'inline-field' },
        el('label', { for: 'canned', text: t('console.canned'), 'data-i18n': 'console.canned' }),
        ui.canned),
      ui.send),
    ui.sendError);
  ui.form.addEventListener('submit', (event) => {
    event.preventDefault();
    withChat(sendReply);
  });
  ui.reply.addEventListener('keydown', (event) => withChat((chat) => onReplyKey(chat, event)));
  ui.reply.addEventListener('input', () => withChat(onReplyInput));
  ui.reply.addEventListener('blur', () => {
    state.replyCaret = ui.reply.selectionStart;
    setTimeout(hideSuggestions, 150);
  });
  ui.reply.addEventListener('focus', () => { state.replyCaret = null; });
  ui.canned.addEventListener('change', () => {
    const item = state.me.canned[Number(ui.canned.value)];
    ui.canned.value = '';
    if (item) withChat((chat) => insertCanned(chat, item, false));
  });
  fillCannedSelect();
}

/** Point the shared controls at `chat`: its draft, its state. */
export function syncControls(chat) {
  hideSuggestions();
  state.replyCaret = null;
  chat.refs.composerSlot.appendChild(ui.form);
  chat.refs.actionsSlot.appendChild(ui.actions);
  ui.reply.value = session(STORE.draft + chat.id) || '';
  ui.sendError.textContent = '';
  ui.actionError.textContent = chat.note || '';
  for (const control of [ui.reply, ui.send, ui.canned, ui.transferTo, ui.transfer,
    ui.resolution, ui.close, ui.handBack]) control.disabled = chat.closed;
  ui.handBackConfirm.hidden = true;
  ui.handBack.setAttribute('aria-expanded', 'false');
}

const myName = () => state.me.name || session(STORE.name) || '';

function sendReply(chat) {
  hideSuggestions();
  const text = ui.reply.value;
  ui.sendError.textContent = '';
  if (chat.closed) return;
  if (!text.trim()) {
    ui.sendError.textContent = t('console.reply.empty');
    ui.reply.focus();
    return;
  }
  const node = messageNode({ sender: 'agent', agent: myName(), text }, true);
  node.classList.add('msg--pending');
  node.dataset.text = text;
  node.querySelector('.msg-meta').appendChild(el('span', {
    className: 'msg-state', text: t('console.msg.sending'), 'data-i18n': 'console.msg.sending',
  }));
  chat.refs.list.appendChild(node);
  scrollToEnd(chat);
  ui.reply.value = '';
  session(STORE.draft + chat.id, null);
  const entry = outbox.add({ chat, node });
  node.dataset.clientMsgId = entry.id;
  pendingEntries.set(node, entry);
  outbox.flush();
}

/** Our own message still pending with this text (its echo may come before its ack). */
export function findPending(chat, text) {
  return [...chat.refs.list.querySelectorAll('.msg--pending')].find(
    (node) => node.dataset.text === text && !node.classList.contains('msg--failed')) ?? null;
}

export function confirmPending(chat, pending, seq, ts) {
  if (!(seq > 0)) return;
  outbox.confirm(pending.dataset.clientMsgId);
  const existing = chat.msgs.get(seq);
  if (existing && existing !== pending) {
    pending.remove(); // the echo came first and is shown already
    return;
  }
  if (!pending.classList.contains('msg--pending')) return;
  pending.classList.remove('msg--pending', 'msg--failed');
  pending.dataset.seq = String(seq);
  chat.msgs.set(seq, pending);
  for (const node of pending.querySelectorAll('.msg-state, .msg-retry')) node.remove();
  pending.querySelector('.msg-meta').appendChild(timeNode(Number(ts) > 0 ? Number(ts) : Date.now() / 1000));
  pending.remove();
  placeMessage(chat, pending, seq);
}

function failPending(chat, pending, ack) {
  pending.classList.add('msg--failed');
  const stateNode = pending.querySelector('.msg-state');
  const reason = errorText(ack);
  stateNode.removeAttribute('data-i18n');
  stateNode.textContent = t('console.msg.failed', { reason });
  const gone = ack.code === 'not_chat_owner' || ack.code === 'chat_not_found';
  if (chat.id === state.selected) ui.sendError.textContent = t('console.reply.notSent', { reason });
  else notice(t('console.reply.notSentTo', { customer: customerName(chat), reason }), true);
  if (!gone && !pending.querySelector('.msg-retry')) {
    const retry = el('button', {
      className: 'btn btn-small msg-retry', type: 'button', text: t('console.msg.retry'),
      'data-i18n': 'console.msg.retry',
    });
    retry.addEventListener('click', () => {
      pending.classList.remove('msg--failed');
      setState(pending, 'console.msg.sending');
      retry.remove();
      ui.sendError.textContent = '';
      outbox.retry(pendingEntries.get(pending));
    });
    pending.querySelector('.msg-meta').appendChild(retry);
  }
  if (gone) markGone(chat, t('console.gone'));
}

function onReplyInput(chat) {
  session(STORE.draft + chat.id, ui.reply.value || null);
  ui.sendError.textContent = '';
  updateSuggestions();
  const now = Date.now();
  if (ui.reply.value && now - chat.lastTypingEmit > TYPING_EMIT_MS && state.socket?.connected) {
    chat.lastTypingEmit = now;
    state.socket.emit('typing', { chat_id: chat.id }, () => { /* ack ignored */ });
  }
}

function onReplyKey(chat, event) {
  if (!ui.suggest.hidden && ui.suggestions.length > 0) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const n = ui.suggestions.length;
      ui.active = (ui.active + (event.key === 'ArrowDown' ? 1 : -1) + n) % n;
      renderSuggestions();
      return;
    }
    if ((event.key === 'Tab' || event.key === 'Enter') && !event.shiftKey) {
      event.preventDefault();
      insertCanned(chat, ui.suggestions[Math.max(0, ui.active)], true);
      return;
    }
    if (event.key === 'Escape') {
      event.preventDefault();
      hideSuggestions();
      return;
    }
  }
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    sendReply(chat);
  }
}

/** The "/shortcut" being typed right before the caret, or null. */
function slashToken() {
  const caret = ui.reply.selectionStart;
  if (caret !== ui.reply.selectionEnd) return null;
  const match = /(^|\s)\/([a-z0-9-]{0,32})$/.exec(ui.reply.value.slice(0, caret));
  if (!match) return null;
  return { start: caret - match[2].length - 1, end: caret, prefix: match[2] };
}

function updateSuggestions() {
  const token = slashToken();
  const list = token ? state.me.canned.filter((c) => c.shortcut.startsWith(token.prefix)) : [];
  const previous = ui.suggestions[ui.active];
  ui.suggestions = list.slice(0, 8);
  ui.active = Math.max(0, ui.suggestions.indexOf(previous));
  if (ui.suggestions.length) renderSuggestions();
  else hideSuggestions();
}

function renderSuggestions() {
  clear(ui.suggest);
  ui.suggestions.forEach((c, i) => {
    ui.suggest.appendChild(el('li', {
      role: 'option', id: `suggest-${i}`, className: 'suggest-item',
      'aria-selected': i === ui.active ? 'true' : 'false',
      on: {
        mousedown: (event) => {
          event.preventDefault(); // keep the focus in Reply
          withChat((chat) => insertCanned(chat, c, true));
        },
      },
    }, el('span', { className: 'suggest-shortcut', text: `/${c.shortcut}` }),
    el('span', { className: 'suggest-title', text: c.title || '' })));
  });
  ui.suggest.hidden = false;
  ui.reply.setAttribute('aria-activedescendant', `suggest-${ui.active}`);
}

export function hideSuggestions() {
  if (!ui.suggest) return;
  ui.suggestions = [];
  ui.active = -1;
  ui.suggest.hidden = true;
  clear(ui.suggest);
  ui.reply.removeAttribute('aria-activedescendant');
}

const fillPlaceholders = (text, chat) => String(text)
  .split('{agent}').join(myName() || t('console.canned.agent'))
  .split('{customer}').join(firstName(chat));

/** Puts `text` into Reply for the selected `chat` (a new paragraph after what is
 * there), for the agent to edit and send (agent assist). */
export function insertIntoReply(chat, text) {
  if (chat.closed || chat.id !== state.selected) return;
  const { reply } = ui;
  const before = reply.value.replace(/\s+$/, '');
  reply.value = before ? `${before}\n\n${text}` : text;
  hideSuggestions();
  reply.focus();
  reply.setSelectionRange(reply.value.length, reply.value.length);
  session(STORE.draft + chat.id, reply.value);
}

/** Put a canned reply into Reply: replacing the "/shortcut" token, or at the caret. */
function insertCanned(chat, item, replaceToken) {
  if (!item) return;
  const { reply } = ui;
  const text = fillPlaceholders(item.text, chat);
  const token = replaceToken ? slashToken() : null;
  const { value } = reply;
  let start = token ? token.start : reply.selectionStart;
  let end = token ? token.end : reply.selectionEnd;
  if (!token && state.replyCaret !== null) end = start = state.replyCaret;
  if (start > value.length) end = start = value.length;
  const spacer = !token && start > 0 && !/\s$/.test(value.slice(0, start)) ? ' ' : '';
  reply.value = value.slice(0, start) + spacer + text + value.slice(end);
  const caret = start + spacer.length + text.length;
  hideSuggestions();
  reply.focus();
  reply.setSelectionRange(caret, caret);
  session(STORE.draft + chat.id, reply.value);
}

export function fillCannedSelect() {
  if (!ui.canned) return;
  clear(ui.canned);
  ui.canned.appendChild(el('option', {
    value: '', text: state.me.canned.length ? t('console.canned.insert') : t('console.canned.none'),
  }));
  state.me.canned.forEach((c, i) => {
    ui.canned.appendChild(el('option', { value: String(i), text: `${c.title || c.shortcut} (/${c.shortcut})` }));
  });
}
