/*
 * Internal notes: what agents and supervisors write about a chat for each other. Each
 * shows in the transcript after the message it followed (`after_seq`), marked "Internal
 * note" and set apart; the customer never sees one (the gateway keeps notes beside the
 * chat's log, never in it, docs/protocol.md). The chat's "Internal notes" card adds one
 * (`add_note`); `chat_note` brings them live, `assigned.notes` those written before.
 */
import { el } from '../core/dom.js';
import { clientMsgId } from '../core/socket.js';
import { clock } from '../core/time.js';
import { request } from './connection.js';
import { errorText, t } from './language.js';
import { state } from './state.js';
import { placeMessage, scrollToEnd } from './transcript.js';

const MAX_CHARS = 2000;

/** The chat's "Internal notes" card: the form that adds one. */
export function buildNotes(chat, key) {
  const { refs } = chat;
  chat.notes = new Map(); // note id -> its node in the transcript
  refs.noteText = el('textarea', {
    id: `note-${key}`, className: 'note-input', rows: '2', maxlength: String(MAX_CHARS),
    'aria-describedby': `note-help-${key}`,
  });
  refs.noteAdd = el('button', {
    className: 'btn', type: 'submit', text: t('console.notes.add'), 'data-i18n': 'console.notes.add',
  });
  refs.noteError = el('p', { className: 'form-error', role: 'alert' });
  const form = el('form', { className: 'note-form', novalidate: true, on: {
    submit: (event) => {
      event.preventDefault();
      addNote(chat);
    },
  } },
  el('label', { for: `note-${key}`, text: t('console.notes.label'), 'data-i18n': 'console.notes.label' }),
  refs.noteText,
  el('p', { className: 'hint', id: `note-help-${key}`, text: t('console.notes.help'),
    'data-i18n': 'console.notes.help' }),
  refs.noteAdd, refs.noteError);
  refs.noteText.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      addNote(chat);
    }
  });
  return el('section', { className: 'card notes', 'aria-labelledby': `notes-${key}` },
    el('h4', { id: `notes-${key}`, text: t('console.notes'), 'data-i18n': 'console.notes' }), form);
}

/** Shows a note once (by id), after the message it followed. */
export function addNoteNode(chat, note) {
  if (!note || typeof note !== 'object' || typeof note.text !== 'string') return;
  const id = Number(note.id);
  if (!(id > 0) || chat.notes.has(id)) return;
  const meta = el('p', { className: 'msg-meta' },
    el('span', { className: 'note-badge', text: t('console.notes.badge'), 'data-i18n': 'console.notes.badge' }),
    el('span', { className: 'msg-sender', text: String(note.name || note.author || '') }));
  const ts = Number(note.ts);
  if (ts > 0) {
    meta.appendChild(el('time', {
      className: 'msg-time', datetime: new Date(ts * 1000).toISOString(), text: clock(ts, t.lang),
    }));
  }
  const node = el('li', { className: 'msg msg--note' }, meta,
    el('div', { className: 'msg-body' }, el('p', { className: 'msg-text', text: note.text })));
  node.dataset.afterSeq = String(Math.max(0, Number(note.after_seq) || 0));
  chat.notes.set(id, node);
  placeMessage(chat, node, Number(node.dataset.afterSeq) + 0.5);
  scrollToEnd(chat);
}

export function onChatNote(data) {
  if (!data || typeof data.chat_id !== 'string') return;
  const chat = state.chats.get(data.chat_id);
  if (chat) addNoteNode(chat, data.note);
}

async function addNote(chat) {
  const { refs } = chat;
  const text = refs.noteText.value.trim();
  refs.noteError.textContent = '';
  if (!text) {
    refs.noteError.textContent = t('console.notes.empty');
    refs.noteText.focus();
    return;
  }
  refs.noteAdd.disabled = true;
  // one id per note written: a retry after a lost answer is stored once
  refs.noteText.dataset.clientMsgId ||= clientMsgId('n');
  const ack = await request('add_note', {
    chat_id: chat.id, text, client_msg_id: refs.noteText.dataset.clientMsgId,
  });
  refs.noteAdd.disabled = chat.closed;
  if (!ack.ok) {
    refs.noteError.textContent = t('console.notes.failed', { reason: errorText(ack) });
    return;
  }
  refs.noteText.value = '';
  delete refs.noteText.dataset.clientMsgId;
  if (!chat.notes.has(Number(ack.id))) await loadNotes(chat); // `chat_note` may come later
}

/** Every note of the chat (when one we added has not come as `chat_note` yet). */
async function loadNotes(chat) {
  const ack = await request('notes', { chat_id: chat.id });
  if (ack.ok && Array.isArray(ack.notes)) for (const note of ack.notes) addNoteNode(chat, note);
}

