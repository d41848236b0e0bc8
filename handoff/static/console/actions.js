/*
 * The chat actions, built once and moved into the selected chat: "Transfer to" another
 * online agent with room, "Close chat" with a resolution (the bot then asks for a
 * rating), and "Hand back to the bot" (no rating: "the assistant can take it from here").
 * Resolutions are stored in English whatever the console shows.
 */
import { clear, el } from '../core/dom.js';
import { customerName, markGone, removeChat } from './chats.js';
import { request } from './connection.js';
import { errorText, t } from './language.js';
import { notice } from './notices.js';
import { RESOLUTIONS, current, state, ui, withChat } from './state.js';

export function buildActions() {
  ui.transferTo = el('select', { id: 'transfer-to', on: { focus: refreshAgents, mousedown: refreshAgents } });
  ui.transfer = el('button', {
    className: 'btn', type: 'button', text: t('console.transfer'), 'data-i18n': 'console.transfer',
    on: { click: () => withChat(transferChat) },
  });
  fillTransferSelect();
  ui.resolution = el('select', { id: 'resolution' });
  fillResolutionSelect();
  ui.close = el('button', {
    className: 'btn btn-danger', type: 'button', text: t('console.close'), 'data-i18n': 'console.close',
    on: { click: () => withChat(closeChat) },
  });
  buildHandBack();
  ui.actionError = el('p', { className: 'form-error', role: 'alert' });
  ui.actions = el('div', {
    className: 'chat-actions', role: 'group', 'aria-label': t('console.actions'),
    'data-i18n-aria-label': 'console.actions',
  }, el('div', { className: 'action' },
    el('label', { for: 'transfer-to', text: t('console.transferTo'), 'data-i18n': 'console.transferTo' }),
    ui.transferTo, ui.transfer),
  el('div', { className: 'action' },
    el('label', { for: 'resolution', text: t('console.resolution'), 'data-i18n': 'console.resolution' }),
    ui.resolution, ui.close),
  el('div', { className: 'action' }, ui.handBack),
  ui.handBackConfirm,
  ui.actionError);
}

/** "Hand back to the bot", with an inline confirmation (the customer is told at once, and
 * it cannot be undone): Escape or "Cancel" keeps the chat. */
function buildHandBack() {
  ui.handBack = el('button', {
    className: 'btn', type: 'button', text: t('console.handBack'), 'data-i18n': 'console.handBack',
    'aria-expanded': 'false', 'aria-controls': 'hand-back-confirm',
    on: { click: () => showHandBackConfirm(true) },
  });
  const yes = el('button', {
    className: 'btn btn-danger', type: 'button', text: t('console.handBack.yes'),
    'data-i18n': 'console.handBack.yes', on: { click: () => withChat(handBack) },
  });
  ui.handBackConfirm = el('div', {
    className: 'confirm', id: 'hand-back-confirm', role: 'group', hidden: true,
    'aria-labelledby': 'hand-back-question',
    on: {
      keydown: (event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        showHandBackConfirm(false);
      },
    },
  }, el('p', { id: 'hand-back-question', text: t('console.handBack.question'),
    'data-i18n': 'console.handBack.question' }),
  yes,
  el('button', {
    className: 'btn', type: 'button', text: t('console.handBack.cancel'),
    'data-i18n': 'console.handBack.cancel', on: { click: () => showHandBackConfirm(false) },
  }));
  ui.handBackYes = yes;
}

function showHandBackConfirm(show) {
  ui.handBackConfirm.hidden = !show;
  ui.handBack.setAttribute('aria-expanded', String(show));
  (show ? ui.handBackYes : ui.handBack).focus();
}

async function handBack(chat) {
  ui.actionError.textContent = '';
  ui.handBackYes.disabled = true;
  chat.handingBack = true; // chat_closed may come before the acknowledgement
  const ack = await request('hand_back', { chat_id: chat.id });
  ui.handBackYes.disabled = false;
  if (ack.ok) {
    finishClose(chat.id);
    return;
  }
  chat.handingBack = false;
  if (ack.code === 'not_chat_owner') markGone(chat, t('console.gone'));
  else actionFailed(chat, t('console.handBack.failed', { reason: errorText(ack) }));
}

/** Resolutions are stored as their English values; the options show them translated. */
export function fillResolutionSelect() {
  const keep = ui.resolution.value;
  clear(ui.resolution);
  for (const r of RESOLUTIONS) {
    ui.resolution.appendChild(el('option', { value: r, text: t(`console.resolution.${r}`) }));
  }
  if (keep) ui.resolution.value = keep;
}

/** refreshAgents at most every 2 s, the last call always honoured. */
export function refreshAgentsSoon() {
  if (state.agentsTimer) return;
  const wait = Math.max(0, 2000 - (Date.now() - state.agentsAt));
  state.agentsTimer = setTimeout(() => {
    state.agentsTimer = 0;
    refreshAgents();
  }, wait);
}

export async function refreshAgents() {
  if (!state.socket?.connected) return;
  state.agentsAt = Date.now();
  const ack = await request('agents', {});
  if (!ack.ok || !Array.isArray(ack.agents)) return;
  state.agents = ack.agents;
  for (const a of ack.agents) {
    if (a?.username) state.agentNames[a.username] = String(a.name || a.username);
  }
  fillTransferSelect();
}

export function fillTransferSelect() {
  const select = ui.transferTo;
  if (!select) return;
  const keep = select.value;
  const { me } = state;
  const choices = state.agents.filter((a) => a?.username && a.username !== me.username &&
    a.status === 'online' && Number(a.active_chats || 0) < me.capacity);
  clear(select);
  select.appendChild(el('option', {
    value: '', text: choices.length ? t('console.transfer.choose') : t('console.transfer.nobody'),
  }));
  for (const a of choices) {
    const free = me.capacity - Number(a.active_chats || 0);
    select.appendChild(el('option', {
      value: a.username, text: t('console.transfer.free', { name: String(a.name || a.username), count: free }),
    }));
  }
  if (keep && choices.some((a) => a.username === keep)) select.value = keep;
}

/** Where an action's failure is said: under the controls, or as a notice for another chat. */
function actionFailed(chat, text) {
  if (chat.id === state.selected) ui.actionError.textContent = text;
  else notice(text, true);
}

async function transferChat(chat) {
  const to = ui.transferTo.value;
  ui.actionError.textContent = '';
  if (!to) {
    ui.actionError.textContent = t('console.transfer.pick');
    ui.transferTo.focus();
    refreshAgents();
    return;
  }
  ui.transfer.disabled = true;
  const ack = await request('transfer', { chat_id: chat.id, to });
  ui.transfer.disabled = Boolean(current()?.closed);
  if (ack.ok) {
    finishTransfer(chat.id, to);
    return;
  }
  actionFailed(chat, chat.id === state.selected
    ? t('console.transfer.failed', { reason: errorText(ack) })
    : t('console.transfer.failedOther', { reason: errorText(ack) }));
  refreshAgents();
}

function finishTransfer(chatId, to) {
  const chat = state.chats.get(chatId);
  if (!chat) return;
  notice(t('console.transfer.done', { agent: state.agentNames[to] || to, customer: customerName(chat) }));
  removeChat(chatId);
}

async function closeChat(chat) {
  const resolution = ui.resolution.value || RESOLUTIONS[0];
  ui.actionError.textContent = '';
  ui.close.disabled = true;
  chat.closing = resolution; // chat_closed may come before the acknowledgement
  const ack = await request('close', { chat_id: chat.id, resolution });
  ui.close.disabled = Boolean(current()?.closed);
  if (ack.ok) {
    finishClose(chat.id);
    ui.resolution.value = RESOLUTIONS[0];
    return;
  }
  chat.closing = '';
  if (ack.code === 'not_chat_owner') markGone(chat, t('console.gone'));
  else actionFailed(chat, t('console.close.failed', { reason: errorText(ack) }));
}

export function onChatClosed(data) {
  if (!data || typeof data.chat_id !== 'string' || !state.chats.has(data.chat_id)) return;
  if (data.transferred_to) finishTransfer(data.chat_id, String(data.transferred_to));
  else finishClose(data.chat_id);
}

function finishClose(chatId) {
  const chat = state.chats.get(chatId);
  if (!chat) return;
  if (chat.handingBack) {
    notice(t('console.handBack.done', { customer: customerName(chat) }));
    ui.handBackConfirm.hidden = true;
    ui.handBack.setAttribute('aria-expanded', 'false');
  } else {
    notice(chat.closing
      ? t('console.close.done', { customer: customerName(chat), resolution: t(`console.resolution.${chat.closing}`) })
      : t('console.close.closed', { customer: customerName(chat) }));
  }
  removeChat(chatId);
}
