/*
 * What spans the console's panels: the chats count and the page title ("(2) Agent
 * console 3 waiting"), emptying everything at sign-out, and showing everything again in
 * another language.
 */
import { all, byId, clear } from '../core/dom.js';
import { fillResolutionSelect, fillTransferSelect } from './actions.js';
import { renderBoard, showSupervisor } from './board.js';
import { renderChatInfo, renderTab } from './chats.js';
import { fillCannedSelect, hideSuggestions } from './composer.js';
import { t, translatePage, useLanguage } from './language.js';
import { renderCapacity, renderQueue, translateQueue } from './queue.js';
import { state, ui } from './state.js';
import { translateTranscript } from './transcript.js';

export function renderChatsMeta() {
  renderCapacity();
  const n = state.chats.size;
  const { capacity } = state.me;
  byId('chats-empty').hidden = n > 0;
  byId('chats-count').textContent = n
    ? t('console.chats.count', { count: n, capacity }) + (n >= capacity ? ` ${t('console.chats.full')}` : '')
    : '';
  updateTitle();
}

export function updateTitle() {
  let unread = 0;
  for (const chat of state.chats.values()) unread += chat.unread;
  const parts = [];
  if (unread) parts.push(`(${unread})`);
  parts.push(t('console.title'));
  if (state.queue.length) parts.push(t('console.title.waiting', { count: state.queue.length }));
  if (!byId('console').hidden) document.title = parts.join(' ');
}

/** Empties the queue and the chats (signed out). */
export function resetWorkspace() {
  state.chats.clear();
  state.order = [];
  state.selected = null;
  state.queue = [];
  state.queueIds = null;
  state.gotMe = false;
  state.wanted = null;
  state.board = null;
  state.csat = null;
  state.me.role = 'agent';
  showSupervisor(false);
  byId('presence').disabled = true;
  hideSuggestions();
  ui.form.remove();
  ui.actions.remove();
  ui.reply.value = '';
  for (const id of ['tabs', 'panels', 'queue-list', 'notices', 'alerts']) clear(byId(id));
  byId('connection').textContent = '';
  renderChatsMeta();
  renderQueue();
}

/** Switch the console to `lang` and show everything again in it. */
export function setLanguage(lang) {
  useLanguage(lang);
  if (ui.form) {
    translatePage(ui.form);
    translatePage(ui.actions);
    fillCannedSelect();
    fillTransferSelect();
    fillResolutionSelect();
  }
  for (const node of all(document, '.signed-in-as')) node.textContent = `${t('console.signedInAs')} `;
  for (const chat of state.chats.values()) {
    translateTranscript(chat);
    renderChatInfo(chat);
    renderTab(chat);
  }
  translateQueue();
  renderBoard();
  renderChatsMeta();
  if (!byId('login').hidden) document.title = t('console.title.signIn');
}
