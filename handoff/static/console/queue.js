/*
 * The queue panel: every waiting chat by priority and waiting time, ticking each second
 * (waiting time, time left to the target response time, "Overdue by …" once breached),
 * "Accept" and "Take next". "Customer language" filters the rows shown and the alerts
 * of new waiting chats; Take next and auto-assignment still serve the whole queue.
 */
import { all, byId, el } from '../core/dom.js';
import { SUPPORTED } from '../core/i18n.js';
import { local } from '../core/storage.js';
import { duration } from '../core/time.js';
import { refreshAgentsSoon } from './actions.js';
import { select } from './chats.js';
import { request } from './connection.js';
import {
  chatLanguage, errorText, languageBadge, planName, priorityName, roleName, t,
} from './language.js';
import { notice } from './notices.js';
import { alertAgent, unlockAudio } from './notify.js';
import { updateTitle } from './panels.js';
import { STORE, state } from './state.js';

const domId = (chatId) => String(chatId).replace(/[^A-Za-z0-9_-]/g, '_');
const priorityOf = (chat) => (/^P[1-4]$/.test(chat.priority) ? chat.priority : 'P3');

export function onQueue(data) {
  const chats = Array.isArray(data?.chats) ? data.chats : [];
  const fresh = state.queueIds ? chats.filter((c) => !state.queueIds.has(c.chat_id)) : [];
  state.queue = chats;
  state.queueAt = Date.now();
  state.queueIds = new Set(chats.map((c) => c.chat_id));
  renderQueue();
  // presence changes re-send the queue: a good moment to refresh the transfer picker
  if (state.chats.size) refreshAgentsSoon();
  const shown = fresh.filter(shownByFilter); // the agent asked to see only these
  if (shown.length && state.me.role !== 'supervisor') { // supervisors take no chats
    const [first] = shown;
    const name = /^P[1-4]$/.test(first.priority) ? priorityName(first.priority) : '';
    alertAgent(t('console.alert.waiting'),
      `${first.priority || ''} ${name}: ${String(first.summary || '').slice(0, 140)}`);
  }
}

/** The queue's language filter ('' = all languages): it hides rows, nothing more. */
const queueFilter = () => byId('queue-language').value;

function shownByFilter(chat) {
  const wanted = queueFilter();
  return !wanted || chatLanguage(chat) === wanted;
}

export function setupQueueFilter() {
  const filter = local(STORE.queueLanguage) || '';
  byId('queue-language').value = SUPPORTED.includes(filter) ? filter : '';
  byId('queue-language').addEventListener('change', () => {
    local(STORE.queueLanguage, queueFilter());
    renderQueue();
  });
}

export function renderQueue() {
  const list = byId('queue-list');
  const rows = new Map([...list.children].map((row) => [row.dataset.chat, row]));
  const seen = new Set();
  let shown = 0;
  state.queue.forEach((chat, index) => {
    seen.add(chat.chat_id);
    const row = rows.get(chat.chat_id) ?? queueRow(chat);
    fillQueueRow(row, chat);
    row.hidden = !shownByFilter(chat);
    if (!row.hidden) shown += 1;
    if (list.children[index] !== row) list.insertBefore(row, list.children[index] ?? null);
  });
  rows.forEach((row, id) => { if (!seen.has(id)) row.remove(); });
  const n = state.queue.length;
  const filter = queueFilter();
  byId('queue-empty').hidden = n > 0;
  byId('queue-filtered').hidden = !(n > 0 && shown === 0);
  byId('queue-filtered').textContent = filter ? t(`console.queue.filter.empty.${filter}`) : '';
  renderCapacity();
  tickQueue();
  updateTitle();
}

/** At capacity the server would refuse another chat: say so instead of offering one. */
export function renderCapacity() {
  const full = state.chats.size >= state.me.capacity;
  const n = state.queue.length;
  byId('take-next').disabled = n === 0 || full;
  for (const button of all(byId('queue-list'), '.qrow-actions button')) button.disabled = full;
  const shown = state.queue.filter(shownByFilter).length;
  const parts = [];
  if (n) parts.push(t('console.queue.count', { count: n }));
  if (n && queueFilter()) parts.push(t('console.queue.shown', { count: shown }));
  if (n && full) parts.push(t('console.queue.atCapacity'));
  byId('queue-count').textContent = parts.join(' · ');
}

function queueRow(chat) {
  const id = `q-${domId(chat.chat_id)}`;
  const accept = el('button', {
    className: 'btn btn-primary btn-small', type: 'button', text: t('console.accept'),
    'data-i18n': 'console.accept', 'aria-describedby': `${id}-summary`,
  });
  accept.addEventListener('click', () => acceptChat(chat.chat_id, accept));
  return el('li', { className: 'qrow', 'data-chat': chat.chat_id, id },
    el('div', { className: 'qrow-head' },
      el('span', { className: 'prio' }),
      languageBadge(''),
      el('span', { className: 'qrow-plan' }),
      el('span', { className: 'qrow-role' })),
    el('p', { className: 'qrow-summary', id: `${id}-summary` }),
    el('p', { className: 'qrow-times' },
      el('span', { className: 'qrow-wait' }),
      el('span', { className: 'qrow-due' })),
    el('div', { className: 'qrow-actions' }, accept));
}

export function fillQueueRow(row, chat) {
  const p = priorityOf(chat);
  row.className = `qrow qrow--${p.toLowerCase()}`;
  row.dataset.waiting = String(Number(chat.waiting_s) || 0);
  row.dataset.due = String(Number(chat.due_in_s) || 0);
  const prio = row.querySelector('.prio');
  prio.className = `prio prio--${p.toLowerCase()}`;
  prio.textContent = `${p} ${priorityName(p)}`;
  languageBadge(chatLanguage(chat), row.querySelector('.lang-badge'));
  row.querySelector('.qrow-plan').textContent = chat.plan
    ? t('console.row.plan', { plan: planName(chat.plan) }) : t('console.row.noPlan');
  row.querySelector('.qrow-role').textContent = chat.role
    ? t('console.row.role', { role: roleName(chat.role) }) : t('console.row.visitor');
  row.querySelector('.qrow-actions button').textContent = t('console.accept');
  const summary = row.querySelector('.qrow-summary');
  summary.textContent = chat.summary || t('console.row.noSummary');
  summary.title = chat.summary || '';
}

/** Every row again in the console's language. */
export function translateQueue() {
  for (const row of byId('queue-list').children) {
    const chat = state.queue.find((c) => c.chat_id === row.dataset.chat);
    if (chat) fillQueueRow(row, chat);
  }
  renderQueue();
}

export function tickQueue() {
  const elapsed = state.queueAt ? (Date.now() - state.queueAt) / 1000 : 0;
  for (const row of byId('queue-list').children) {
    const waiting = Number(row.dataset.waiting) + elapsed;
    const due = Number(row.dataset.due) - elapsed;
    row.querySelector('.qrow-wait').textContent = t('console.row.waiting', { time: duration(waiting) });
    const dueNode = row.querySelector('.qrow-due');
    const late = due < 0;
    dueNode.textContent = late ? t('console.row.overdue', { time: duration(-due) })
      : t('console.row.due', { time: duration(due) });
    dueNode.classList.toggle('overdue', late);
    row.classList.toggle('qrow--overdue', late);
  }
}

async function acceptChat(chatId, button) {
  unlockAudio();
  button.disabled = true;
  state.wanted = chatId;
  const ack = await request('accept', { chat_id: chatId });
  button.disabled = false;
  renderCapacity();
  if (ack.ok) {
    if (state.chats.has(chatId)) select(chatId, true);
    return;
  }
  state.wanted = null;
  notice(t('console.accept.failed', { reason: errorText(ack) }), true);
}

export async function takeNext() {
  unlockAudio();
  byId('take-next').disabled = true;
  state.wanted = '*';
  const ack = await request('take_next', {});
  renderCapacity();
  if (ack.ok && ack.chat_id) {
    state.wanted = ack.chat_id;
    if (state.chats.has(ack.chat_id)) select(ack.chat_id, true);
    return;
  }
  state.wanted = null;
  notice(t('console.takeNext.failed', { reason: errorText(ack) }), true);
}

export { domId };
