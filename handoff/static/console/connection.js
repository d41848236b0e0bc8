/*
 * The console's socket (namespace "/agent", docs/protocol.md): connecting with the
 * agent's token, requests with acknowledgements, and the agent's own record (`me`) and
 * presence. On every connection the gateway sends `me`, `queue` and one `assigned` per
 * chat, so a reload or reconnection rebuilds the console.
 */
import { byId } from '../core/dom.js';
import { request as emitWithAck } from '../core/socket.js';
import { session } from '../core/storage.js';
import { fillCannedSelect } from './composer.js';
import { onChatClosed } from './actions.js';
import { onAssistSuggestions } from './assist.js';
import { onBoard, showSupervisor } from './board.js';
import { customerName, onAssigned, onCustomerPresence, removeChat } from './chats.js';
import { errorText, t } from './language.js';
import { showConsole, signOut } from './login.js';
import { onChatNote } from './notes.js';
import { notice, setConnection } from './notices.js';
import { renderChatsMeta, updateTitle } from './panels.js';
import { onQueue } from './queue.js';
import { ACK_TIMEOUT_MS, STORE, state } from './state.js';
import { onChatMessage, onTyping } from './transcript.js';

/** Emit with an acknowledgement: resolves with an object with `ok`. */
export const request = (event, payload) => emitWithAck(state.socket, event, payload, ACK_TIMEOUT_MS);

export function start() {
  showConsole();
  if (typeof window.io !== 'function') {
    notice(t('console.conn.noClient'), true);
    return;
  }
  let known;
  try {
    known = JSON.parse(session(STORE.known) || '[]');
  } catch {
    known = [];
  }
  state.restoring = new Set(Array.isArray(known) ? known : []);
  connect();
}

function connect() {
  const socket = window.io('/agent', {
    // read on every (re)connection: the token is refreshed while the console is open
    auth: (cb) => cb({ token: session(STORE.token) }),
    // WebSocket first (long-polling only where it is blocked): no poll left in flight
    // to be answered 400 by the server after a sign-out or reload closed the session
    transports: ['websocket', 'polling'],
    tryAllTransports: true,
    reconnectionDelayMax: 5000,
  });
  state.socket = socket;
  byId('presence').disabled = true; // until `me` says where we are
  setConnection('console.conn.connecting');

  socket.on('connect', () => {
    state.connectedAt = Date.now();
    setConnection('');
    setTimeout(() => {
      // an older gateway without `me`: say we are online
      if (!state.gotMe && state.socket === socket && socket.connected) emitPresence('online');
    }, 2500);
  });
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    state.gotMe = false;
    byId('presence').disabled = true;
    setConnection('console.conn.reconnecting');
    // socket.io does not come back by itself after the server closed the connection
    if (reason === 'io server disconnect') {
      setTimeout(() => {
        if (state.socket === socket && !socket.connected) socket.connect();
      }, 1000);
    }
  });
  socket.on('connect_error', (err) => {
    const message = err?.message ? String(err.message) : '';
    if (socket.active) {
      setConnection('console.conn.reconnecting'); // a transport problem: socket.io retries
      return;
    }
    // refused by the server ("login required"; python-socketio says "Connection
    // refused by server" when the refusal carries no message it passes on)
    if (message === 'origin not allowed') {
      setConnection('console.conn.disconnected');
      notice(t('console.conn.origin'), true);
      return;
    }
    signOut(t('console.session.ended'));
  });
  socket.on('me', onMe);
  socket.on('queue', onQueue);
  socket.on('assigned', onAssigned);
  socket.on('chat_message', onChatMessage);
  socket.on('typing', onTyping);
  socket.on('customer_presence', onCustomerPresence);
  socket.on('chat_closed', onChatClosed);
  socket.on('assist_suggestions', onAssistSuggestions);
  socket.on('chat_note', onChatNote);
  socket.on('board', onBoard);
}

function onMe(data) {
  if (!data || typeof data !== 'object') return;
  const { me } = state;
  state.gotMe = true;
  me.username = String(data.username || session(STORE.user) || '');
  me.name = String(data.name || me.username);
  me.capacity = Number(data.capacity) > 0 ? Number(data.capacity) : 3;
  me.canned = Array.isArray(data.canned)
    ? data.canned.filter((c) => c && typeof c.shortcut === 'string' && typeof c.text === 'string')
    : [];
  session(STORE.name, me.name);
  byId('agent-name').textContent = me.name;
  state.agentNames[me.username] = me.name;
  me.role = data.role === 'supervisor' ? 'supervisor' : 'agent';
  showSupervisor(me.role === 'supervisor');
  const status = String(data.status || 'offline');
  if (me.role === 'supervisor') {
    // a supervisor takes no chats: no presence (the gateway would answer `forbidden`)
  } else if (status === 'offline') {
    emitPresence('online'); // first sign-in (or back after a long absence)
  } else {
    me.status = status === 'away' ? 'away' : 'online';
    byId('presence').value = me.status;
    byId('presence').disabled = false;
  }
  if (Array.isArray(data.chats)) pruneChats(data.chats);
  fillCannedSelect();
  renderChatsMeta();
}

/** Chats we still show but the server no longer gives us (requeued while we were
 * disconnected past the grace period). Only if `me` lists our chats. */
function pruneChats(ids) {
  const mine = new Set(ids.map(String));
  for (const chatId of [...state.order]) {
    if (mine.has(chatId)) continue;
    notice(t('console.requeued', { customer: customerName(state.chats.get(chatId)) }), true);
    removeChat(chatId);
  }
}

/** One presence request at a time: the select is disabled until the answer. */
export async function emitPresence(status) {
  const select = byId('presence');
  select.disabled = true;
  const ack = await request('presence', { status });
  select.disabled = false;
  if (ack.ok) state.me.status = status;
  else notice(t('console.status.failed', { reason: errorText(ack) }), true);
  select.value = state.me.status === 'away' ? 'away' : 'online';
  updateTitle();
}
