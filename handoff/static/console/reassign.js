/*
 * Reassigning a chat (supervisors): one of an agent's chats, from the board's
 * `agents[].chats`, to another agent online with room. The gateway moves it exactly as a
 * transfer, checking in the same step that the chat is still with the agent it was read
 * with; both agents' consoles and the customer are told.
 */
import { clear, el } from '../core/dom.js';
import { boardCard, onBoard } from './board.js';
import { request } from './connection.js';
import { errorText, t } from './language.js';
import { state } from './state.js';

const refs = {};

export function buildReassign() {
  refs.chat = el('select', { id: 'reassign-chat' });
  refs.to = el('select', { id: 'reassign-to' });
  refs.button = el('button', {
    className: 'btn btn-primary', type: 'submit', text: t('console.reassign.submit'),
    'data-i18n': 'console.reassign.submit',
  });
  refs.status = el('p', { className: 'hint', role: 'status' });
  refs.error = el('p', { className: 'form-error', role: 'alert' });
  const field = (id, key, select) => el('div', { className: 'field' },
    el('label', { for: id, text: t(key), 'data-i18n': key }), select);
  const form = el('form', { className: 'reassign-form', novalidate: true, on: { submit: onSubmit } },
    field('reassign-chat', 'console.reassign.chat', refs.chat),
    field('reassign-to', 'console.reassign.to', refs.to),
    el('div', { className: 'reassign-actions' }, refs.button), refs.status, refs.error);
  refs.chat.addEventListener('change', () => fillTargets());
  return boardCard('board-reassign', 'console.reassign', form);
}

const agents = () => (Array.isArray(state.board?.agents) ? state.board.agents : []);

/** The chats agents hold now, as [chat id, its agent]. */
function heldChats() {
  return agents().flatMap((a) => (Array.isArray(a.chats) ? a.chats : []).map((id) => [String(id), a]));
}

/** Fills a select with [value, text] options unless they are the same as shown (so a
 * board every few seconds never closes a list the supervisor has open). */
function fill(select, options, emptyText) {
  const wanted = [['', emptyText], ...options];
  const shown = [...select.options].map((o) => [o.value, o.textContent]);
  if (JSON.stringify(shown) === JSON.stringify(wanted)) return;
  const keep = select.value;
  clear(select);
  for (const [value, text] of wanted) select.appendChild(el('option', { value, text }));
  if (options.some(([value]) => value === keep)) select.value = keep;
}

export function renderReassign() {
  if (!refs.chat) return;
  const held = heldChats();
  fill(refs.chat, held.map(([id, a]) => [id, t('console.reassign.chatOption',
    { agent: String(a.name || a.username), id: id.slice(0, 8) })]),
  held.length ? t('console.reassign.chooseChat') : t('console.reassign.noChats'));
  fillTargets();
}

function fillTargets() {
  const owner = heldChats().find(([id]) => id === refs.chat.value)?.[1];
  const targets = agents().filter((a) => a.status === 'online' && a.username !== owner?.username &&
    Number(a.active_chats || 0) < Number(a.capacity || 0));
  fill(refs.to, targets.map((a) => [a.username, t('console.transfer.free',
    { name: String(a.name || a.username), count: Number(a.capacity) - Number(a.active_chats || 0) })]),
  targets.length ? t('console.transfer.choose') : t('console.transfer.nobody'));
}

async function onSubmit(event) {
  event.preventDefault();
  refs.error.textContent = '';
  refs.status.textContent = '';
  const chatId = refs.chat.value;
  const to = refs.to.value;
  if (!chatId || !to) {
    refs.error.textContent = t(chatId ? 'console.transfer.pick' : 'console.reassign.pickChat');
    (chatId ? refs.to : refs.chat).focus();
    return;
  }
  refs.button.disabled = true;
  const ack = await request('reassign', { chat_id: chatId, to });
  refs.button.disabled = false;
  if (!ack.ok) {
    refs.error.textContent = t('console.reassign.failed', { reason: errorText(ack) });
    return;
  }
  const name = (username) => {
    const a = agents().find((x) => x.username === username);
    return String(a?.name || username);
  };
  refs.status.textContent = t('console.reassign.done', { from: name(ack.from), to: name(ack.to) });
  const fresh = await request('board', {}); // the board shows the move at once
  if (fresh.ok) onBoard(fresh.board);
}
