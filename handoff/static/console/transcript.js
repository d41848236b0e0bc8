/*
 * A chat's transcript: every message once (by `seq`), in order, bot and agent text
 * through the safe Markdown renderer. It opens on the newest messages; "Load earlier
 * messages" fetches the page before and keeps the reading position.
 */
import { all, el } from '../core/dom.js';
import { render } from '../core/markdown.js';
import { clock } from '../core/time.js';
import { customerName, renderTab } from './chats.js';
import { confirmPending, findPending } from './composer.js';
import { request } from './connection.js';
import { errorText, t, translatePage } from './language.js';
import { announce, notice } from './notices.js';
import { alertAgent } from './notify.js';
import { updateTitle } from './panels.js';
import { state } from './state.js';

const NEAR_BOTTOM_PX = 80;
const TYPING_SHOW_MS = 4000;
const SENDERS = ['user', 'bot', 'agent', 'system'];

/** The transcript's log and its typing line (for the chat's panel). */
export function buildTranscript(chat) {
  const { refs } = chat;
  refs.list = el('ol', { className: 'messages' });
  // the console opens a chat on its newest messages; older ones on request
  refs.earlier = el('button', {
    className: 'btn btn-small earlier', type: 'button', text: t('console.chat.earlier'),
    hidden: true, on: { click: () => loadEarlier(chat) },
  });
  refs.log = el('div', {
    className: 'transcript', role: 'log', 'aria-label': t('console.chat.transcript'),
    'data-i18n-aria-label': 'console.chat.transcript', 'aria-live': 'polite', tabindex: '0',
  }, refs.earlier, refs.list);
  refs.typing = el('p', { className: 'typing', role: 'status' });
  return [refs.log, refs.typing];
}

/** The chat's texts again in the console's language. */
export function translateTranscript(chat) {
  translatePage(chat.refs.panel);
  chat.refs.ref.textContent = t('console.chat.id', { id: chat.id });
  if (!chat.refs.earlier.disabled) chat.refs.earlier.textContent = t('console.chat.earlier');
  for (const node of chat.msgs.values()) translatePage(node);
  for (const node of all(chat.refs.list, '.msg-time')) {
    node.textContent = clock(new Date(node.getAttribute('datetime')).getTime() / 1000, t.lang);
  }
  for (const node of all(chat.refs.list, '.msg--pending')) translatePage(node);
}

/** The sender's catalogue key, or null for an agent's own name. */
function senderKey(m) {
  if (m.sender === 'agent' && m.agent) return null;
  return `console.sender.${['user', 'bot', 'agent'].includes(m.sender) ? m.sender : 'system'}`;
}

function renderBody(body, m) {
  const text = typeof m.text === 'string' ? m.text : '';
  if (m.sender === 'user' && typeof m.title === 'string' && m.title) {
    body.appendChild(el('span', { className: 'msg-button', text: m.title }));
    body.appendChild(el('span', { className: 'msg-payload', text: ` (${text})` }));
    return;
  }
  if (!text) {
    body.appendChild(el('span', {
      className: 'msg-empty', text: t('console.msg.empty'), 'data-i18n': 'console.msg.empty',
    }));
    return;
  }
  if (m.sender === 'bot' || m.sender === 'agent') {
    try {
      body.appendChild(render(text));
      return;
    } catch {
      /* plain text below */
    }
  }
  body.appendChild(el('p', { className: 'msg-text', text }));
}

export function messageNode(m, mine) {
  const kind = SENDERS.includes(m.sender) ? m.sender : 'system';
  const key = senderKey(m);
  const meta = el('p', { className: 'msg-meta' },
    el('span', { className: 'msg-sender', text: key ? t(key) : String(m.agent), 'data-i18n': key }));
  const ts = Number(m.ts);
  if (ts > 0) meta.appendChild(timeNode(ts));
  const body = el('div', { className: 'msg-body' });
  renderBody(body, m);
  return el('li', { className: `msg msg--${kind}${mine ? ' msg--mine' : ''}` }, meta, body);
}

export const timeNode = (ts) => el('time', {
  className: 'msg-time', datetime: new Date(ts * 1000).toISOString(), text: clock(ts, t.lang),
});

function nearBottom(chat) {
  const { log } = chat.refs;
  return log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;
}

export function scrollToEnd(chat) {
  chat.refs.log.scrollTop = chat.refs.log.scrollHeight;
}

/** Where a transcript item goes: its `seq`, an internal note just after the message it
 * followed (notes.js), unsent messages last. */
const position = (node) => {
  if (node.dataset.seq) return Number(node.dataset.seq);
  return node.dataset.afterSeq ? Number(node.dataset.afterSeq) + 0.5 : Infinity;
};

/** Puts `node` among the numbered messages and notes at `seq` (see position). */
export function placeMessage(chat, node, seq) {
  const before = [...chat.refs.list.children].find((child) => position(child) > seq);
  chat.refs.list.insertBefore(node, before ?? null);
}

/** The page of messages before the oldest one shown. */
async function loadEarlier(chat) {
  const oldest = Math.min(...chat.msgs.keys());
  const button = chat.refs.earlier;
  if (!(oldest > 1) || oldest === Infinity) {
    button.hidden = true;
    return;
  }
  button.disabled = true;
  button.textContent = t('console.chat.loading');
  const { log } = chat.refs;
  const fromBottom = log.scrollHeight - log.scrollTop;
  const ack = await request('history', { chat_id: chat.id, before_seq: oldest });
  button.disabled = false;
  button.textContent = t('console.chat.earlier');
  if (!ack.ok) {
    notice(t('console.earlier.failed', { reason: errorText(ack) }), true);
    return;
  }
  for (const m of Array.isArray(ack.messages) ? ack.messages : []) addMessage(chat, m, false);
  chat.earlierLoaded = true;
  button.hidden = ack.has_earlier !== true;
  log.scrollTop = log.scrollHeight - fromBottom; // keep what the agent was reading
  if (!button.hidden) button.focus();
}

/** Adds a message once (by seq). Returns true if it was new. */
export function addMessage(chat, m, live) {
  if (!m || typeof m !== 'object') return false;
  const seq = Number(m.seq);
  if (!(seq > 0) || chat.msgs.has(seq)) return false;
  const stick = nearBottom(chat);
  const mine = m.sender === 'agent' && Boolean(m.agent) && m.agent === state.me.name;
  if (live && mine) {
    const pending = findPending(chat, m.text);
    if (pending) {
      confirmPending(chat, pending, seq, m.ts);
      return false;
    }
  }
  if (live && !m.ts) m.ts = Date.now() / 1000;
  const node = messageNode(m, mine);
  node.dataset.seq = String(seq);
  chat.msgs.set(seq, node);
  placeMessage(chat, node, seq);
  if (stick || chat.id !== state.selected) scrollToEnd(chat);
  return true;
}

export function onChatMessage(data) {
  if (!data || typeof data.chat_id !== 'string' || !data.message) return;
  const chat = state.chats.get(data.chat_id);
  if (!chat) return;
  const m = data.message;
  if (!addMessage(chat, m, true) || m.sender !== 'user') return;
  hideTyping(chat);
  if (chat.id !== state.selected) {
    chat.unread += 1;
    renderTab(chat);
    updateTitle();
    announce(t('console.announce.message', { customer: customerName(chat) }));
  }
  if (chat.id !== state.selected || document.hidden) {
    alertAgent(t('console.alert.message', { customer: customerName(chat) }),
      String(m.title || m.text || '').slice(0, 140), true);
  }
}

export function onTyping(data) {
  if (data?.sender !== 'user') return;
  const chat = state.chats.get(data.chat_id);
  if (!chat) return;
  chat.refs.typing.textContent = t('console.typing', { name: customerName(chat) });
  clearTimeout(chat.typingTimer);
  chat.typingTimer = setTimeout(() => hideTyping(chat), TYPING_SHOW_MS);
}

export function hideTyping(chat) {
  clearTimeout(chat.typingTimer);
  chat.refs.typing.textContent = '';
}
