/*
 * "My chats": one tab and one panel per chat assigned to the agent (heading with the
 * priority, language and whether the customer is still there; transcript; customer and
 * triage cards). The tabs move with the arrow keys; the selected chat is remembered
 * for a reload.
 */
import { byId, clear, el } from '../core/dom.js';
import { session } from '../core/storage.js';
import { refreshAgents } from './actions.js';
import { buildAssist } from './assist.js';
import { hideSuggestions, syncControls } from './composer.js';
import {
  chatLanguage, languageBadge, languageName, planName, priorityName, roleName, t, titleCase,
} from './language.js';
import { announce } from './notices.js';
import { alertAgent } from './notify.js';
import { renderChatsMeta, updateTitle } from './panels.js';
import { addNoteNode, buildNotes } from './notes.js';
import { domId } from './queue.js';
import { STORE, state, ui } from './state.js';
import { addMessage, buildTranscript, scrollToEnd } from './transcript.js';

const TRIAGE_FIELDS = ['problem', 'impact', 'workaround', 'meeting_id'];
const TRIAGE_VALUES = ['down', 'many', 'few', 'question', 'none', 'partial', 'full'];
const priorityOf = (chat) => (/^P[1-4]$/.test(chat.priority) ? chat.priority : '');

export const customerName = (chat) => (chat?.account?.name ? String(chat.account.name) : t('console.visitor'));

export function firstName(chat) {
  const name = chat.account?.name ? String(chat.account.name).trim() : '';
  return name ? name.split(/\s+/)[0] : t('console.canned.customer');
}

export function onAssigned(data) {
  if (!data || typeof data.chat_id !== 'string') return;
  const chatId = data.chat_id;
  const isNew = !state.chats.has(chatId);
  const chat = state.chats.get(chatId) ?? createChat(chatId);
  chat.account = data.account && typeof data.account === 'object' ? data.account : null;
  chat.priority = data.priority || '';
  chat.summary = data.summary || '';
  chat.triage = data.triage && typeof data.triage === 'object' ? data.triage : {};
  chat.language = typeof data.language === 'string' ? data.language : '';
  chat.closed = false;
  for (const button of chat.refs.panel.querySelectorAll('.assist button, .notes button')) button.disabled = false;
  chat.note = '';
  chat.online = data.customer_online !== false;
  renderChatInfo(chat);
  for (const m of Array.isArray(data.transcript) ? data.transcript : []) addMessage(chat, m, false);
  for (const note of Array.isArray(data.notes) ? data.notes : []) addNoteNode(chat, note);
  if (isNew || !chat.earlierLoaded) chat.refs.earlier.hidden = data.has_earlier !== true;
  renderTab(chat);
  saveKnown();
  if (chat.id === state.selected) syncControls(chat);

  const wanted = state.wanted === chatId || (state.wanted === '*' && isNew);
  const saved = session(STORE.selected);
  if (wanted) {
    state.wanted = null;
    select(chatId, true);
  } else if (!state.selected || (saved === chatId && state.selected !== chatId &&
             state.restoring.has(chatId))) {
    select(chatId, false);
  }
  if (isNew && !wanted) {
    if (state.restoring.has(chatId)) {
      state.restoring.delete(chatId);
    } else {
      alertAgent(t('console.alert.assigned'),
        `${customerName(chat)}: ${String(chat.summary || '').slice(0, 140)}`);
      announce(t('console.announce.assigned', { customer: customerName(chat) }));
    }
  }
  renderChatsMeta();
}

function createChat(chatId) {
  const key = domId(chatId);
  const chat = {
    id: chatId, account: null, priority: '', summary: '', triage: {}, language: '',
    msgs: new Map(), unread: 0, closed: false, closing: '', note: '', typingTimer: 0,
    lastTypingEmit: 0, refs: {},
  };
  // the chat's language: "RU" in the tab, its name as the tab's description (the tab's
  // name stays the customer's: "Bo Business (2 unread)")
  chat.refs.tabLanguage = el('span', { id: `tab-lang-${key}` });
  byId('tab-descriptions').appendChild(chat.refs.tabLanguage);
  const tab = el('button', {
    className: 'tab', type: 'button', role: 'tab', id: `tab-${key}`,
    'aria-controls': `panel-${key}`, 'aria-selected': 'false', tabindex: '-1',
    'aria-describedby': `tab-lang-${key}`,
    on: { click: () => select(chatId, false), keydown: onTabKey },
  }, el('span', { className: 'tab-name' }), el('span', { className: 'tab-unread' }),
  el('span', { className: 'lang-badge tab-lang', 'aria-hidden': 'true' }));
  chat.refs.tab = tab;
  byId('tabs').appendChild(tab);
  state.order.push(chatId);
  const panel = el('div', {
    className: 'panel', role: 'tabpanel', id: `panel-${key}`, 'aria-labelledby': `tab-${key}`,
    hidden: true,
  });
  chat.refs.panel = panel;
  buildPanel(chat, key, panel);
  byId('panels').appendChild(panel);
  state.chats.set(chatId, chat);
  return chat;
}

/** A chat's own part of the page: heading, transcript, customer and triage cards. The
 * composer and the transfer/close controls exist once and move into the selected
 * chat's panel (slots below), so every control name is unique on the page. */
function buildPanel(chat, key, panel) {
  const { refs } = chat;
  refs.heading = el('h3', { className: 'chat-title', id: `title-${key}` });
  refs.prio = el('span', { className: 'prio' });
  refs.lang = languageBadge('');
  // whether the customer's page is still open (the gateway's `customer_presence`)
  refs.presence = el('span', { className: 'presence', role: 'status' });
  refs.actionsSlot = el('div', { className: 'slot' });
  panel.appendChild(el('div', { className: 'chat-head' },
    el('div', { className: 'chat-name' }, refs.heading, refs.prio, refs.lang, refs.presence),
    refs.actionsSlot));
  refs.composerSlot = el('div', { className: 'slot' });
  const main = el('div', { className: 'chat-main' }, ...buildTranscript(chat), refs.composerSlot);
  refs.customer = el('div', { className: 'card-body' });
  refs.triage = el('div', { className: 'card-body' });
  refs.ref = el('p', { className: 'chat-ref', text: t('console.chat.id', { id: chat.id }) });
  const card = (id, textKey, body) => el('section', { className: 'card', 'aria-labelledby': id },
    el('h4', { id, text: t(textKey), 'data-i18n': textKey }), body);
  // scrolls on its own on small screens: focusable so it scrolls by keyboard too
  const side = el('div', {
    className: 'chat-side', role: 'region', tabIndex: '0', 'aria-label': t('console.chat.details'),
    'data-i18n-aria-label': 'console.chat.details',
  }, buildAssist(chat, key), card(`cust-${key}`, 'console.chat.customer', refs.customer),
  card(`tri-${key}`, 'console.chat.triage', refs.triage), buildNotes(chat, key), refs.ref);
  panel.appendChild(el('div', { className: 'chat-body' }, main, side));
}

function renderPresence(chat) {
  chat.refs.presence.textContent = chat.online ? t('console.chat.online') : t('console.chat.left');
  chat.refs.presence.className = `presence ${chat.online ? 'presence--online' : 'presence--away'}`;
}

export function onCustomerPresence(data) {
  if (!data || typeof data.chat_id !== 'string') return;
  const chat = state.chats.get(data.chat_id);
  if (!chat || chat.online === (data.online === true)) return;
  chat.online = data.online === true;
  renderPresence(chat);
}

function definitionList(rows) {
  return el('dl', { className: 'facts' }, ...rows.map(([term, raw]) => {
    const value = raw === undefined || raw === null || raw === '' ? '—' : String(raw);
    return el('div', { className: 'fact' }, el('dt', { text: term }), el('dd', { text: value }));
  }));
}

export function renderChatInfo(chat) {
  const { refs } = chat;
  refs.heading.textContent = customerName(chat);
  renderPresence(chat);
  const p = priorityOf(chat);
  refs.prio.className = `prio${p ? ` prio--${p.toLowerCase()}` : ''}`;
  refs.prio.textContent = p ? `${p} ${priorityName(p)}` : t('console.chat.noPriority');
  languageBadge(chatLanguage(chat), refs.lang);
  refs.tabLanguage.textContent = chatLanguage(chat) ? languageName(chatLanguage(chat)) : '';

  clear(refs.customer);
  const a = chat.account;
  const language = [t('console.chat.language'), languageName(chatLanguage(chat))];
  if (a) {
    refs.customer.appendChild(definitionList([
      [t('console.card.name'), a.name], [t('console.card.userId'), a.user_id],
      [t('console.card.accountId'), a.account_id],
      [t('console.card.plan'), a.plan ? planName(a.plan) : ''],
      [t('console.card.role'), a.role ? roleName(a.role) : ''],
      [t('console.card.licensed'), a.licensed ? t('console.card.yes') : t('console.card.no')],
      language,
    ]));
  } else {
    refs.customer.appendChild(el('p', { text: t('console.card.anonymous') }));
    refs.customer.appendChild(definitionList([language]));
  }

  clear(refs.triage);
  const rows = [[t('console.card.priority'), p ? `${p} ${priorityName(p)}` : '—'],
    [t('console.card.summary'), chat.summary || '—']];
  for (const [k, v] of Object.entries(chat.triage ?? {})) {
    let shown = String(v);
    if (v === null || v === undefined || v === '') shown = t('console.card.notGiven');
    else if (TRIAGE_VALUES.includes(v) && k !== 'problem') shown = t(`console.triage.${v}`);
    rows.push([TRIAGE_FIELDS.includes(k) ? t(`console.triage.${k}`)
      : titleCase(String(k).replace(/_/g, ' ')), shown]);
  }
  refs.triage.appendChild(definitionList(rows));
}

export function renderTab(chat) {
  const { tab } = chat.refs;
  tab.querySelector('.tab-name').textContent = customerName(chat);
  tab.querySelector('.tab-unread').textContent = chat.unread > 0
    ? ` ${t('console.tab.unread', { count: chat.unread })}` : '';
  const language = chatLanguage(chat);
  const badge = tab.querySelector('.tab-lang');
  badge.textContent = language ? t(`language.code.${language}`) : '';
  badge.hidden = !language;
  const p = /^P[1-4]$/.test(chat.priority) ? chat.priority.toLowerCase() : 'p3';
  tab.className = `tab tab--${p}${chat.unread > 0 ? ' tab--unread' : ''}${chat.closed ? ' tab--closed' : ''}`;
}

/** Shows `chatId`'s panel (and its draft in the composer). */
export function select(chatId, focusReply) {
  const chat = state.chats.get(chatId);
  if (!chat) return;
  const changed = state.selected !== chatId;
  state.selected = chatId;
  session(STORE.selected, chatId);
  for (const c of state.chats.values()) {
    const on = c.id === chatId;
    c.refs.tab.setAttribute('aria-selected', on ? 'true' : 'false');
    c.refs.tab.tabIndex = on ? 0 : -1;
    c.refs.panel.hidden = !on;
  }
  if (changed || ui.form.parentNode !== chat.refs.composerSlot) syncControls(chat);
  if (chat.unread) {
    chat.unread = 0;
    renderTab(chat);
    updateTitle();
  }
  scrollToEnd(chat);
  refreshAgents();
  if (focusReply && !ui.reply.disabled) ui.reply.focus();
}

function onTabKey(event) {
  const index = state.order.indexOf(state.selected);
  const moves = { ArrowRight: index + 1, ArrowDown: index + 1, ArrowLeft: index - 1,
    ArrowUp: index - 1, Home: 0, End: state.order.length - 1 };
  if (!(event.key in moves)) return;
  event.preventDefault();
  const n = state.order.length;
  if (!n) return;
  const next = state.order[(moves[event.key] + n) % n];
  select(next, false);
  state.chats.get(next).refs.tab.focus();
}

export function removeChat(chatId) {
  const chat = state.chats.get(chatId);
  if (!chat) return;
  const hadFocus = chat.refs.panel.contains(document.activeElement) ||
    chat.refs.tab === document.activeElement;
  const index = state.order.indexOf(chatId);
  clearTimeout(chat.typingTimer);
  if (ui.form.parentNode === chat.refs.composerSlot) {
    hideSuggestions();
    ui.form.remove();
    ui.actions.remove();
  }
  chat.refs.tab.remove();
  chat.refs.tabLanguage.remove();
  chat.refs.panel.remove();
  state.chats.delete(chatId);
  state.order.splice(index, 1);
  session(STORE.draft + chatId, null);
  saveKnown();
  if (state.selected === chatId) {
    state.selected = null;
    session(STORE.selected, null);
    const next = state.order[Math.min(index, state.order.length - 1)];
    if (next) select(next, false);
  }
  if (hadFocus) {
    if (state.selected) state.chats.get(state.selected).refs.tab.focus();
    else byId('chats').focus();
  }
  renderChatsMeta();
}

const saveKnown = () => session(STORE.known, JSON.stringify(state.order));

/** The server says the chat is not ours any more (e.g. requeued while we were away). */
export function markGone(chat, text) {
  chat.closed = true;
  chat.note = text;
  renderTab(chat);
  for (const button of chat.refs.panel.querySelectorAll('.assist button, .notes button')) button.disabled = true;
  if (chat.id === state.selected) syncControls(chat);
}
