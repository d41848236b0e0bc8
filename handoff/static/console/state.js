/*
 * What the agent console knows: the agent, the queue, the chats it holds, and the shared
 * composer and chat actions (built once, moved into the selected chat). One object per
 * concern, read and changed by the panel modules.
 */

/** Storage keys: sessionStorage unless noted. */
export const STORE = Object.freeze({
  token: 'hc.agent.token',
  name: 'hc.agent.name',
  user: 'hc.agent.username',
  selected: 'hc.agent.selected',
  known: 'hc.agent.chats',
  draft: 'hc.agent.draft.',
  notify: 'hc.agent.notifications', // localStorage: survives the session
  language: 'hc.agent.language', // localStorage: the console's language
  queueLanguage: 'hc.agent.queue-language', // localStorage: the queue's language filter
});

// stored as given in the chat's `resolution` (reports read these English values; the
// console shows them in its language)
export const RESOLUTIONS = Object.freeze(
  ['Resolved', 'Not resolved', 'Follow-up by ticket', 'Duplicate or spam']);
export const ACK_TIMEOUT_MS = 10000;

export const state = {
  socket: null,
  me: { username: '', name: '', role: 'agent', status: '', capacity: 3, canned: [] },
  gotMe: false,
  queue: [],
  queueAt: 0,
  queueIds: null, // ids of the last queue snapshot (null before the first)
  chats: new Map(), // chat_id -> chat
  order: [], // chat ids in tab order
  selected: null,
  agents: [], // last `agents` ack
  agentsAt: 0,
  agentsTimer: 0,
  agentNames: {}, // username -> display name
  wanted: null, // chat id we asked for (accept / take next): select it
  connectedAt: 0,
  restoring: new Set(), // chats that were ours before a reload
  audio: null,
  replyCaret: null, // where the caret was in Reply before it lost focus
  refreshTimer: 0, // the next token refresh
  board: null, // supervisors: the last `board`
  csat: null, // supervisors: the last `csat_report`
};

// the shared composer and chat actions (built once, see composer.js and actions.js)
export const ui = { suggestions: [], active: -1 };

export const current = () => (state.selected ? state.chats.get(state.selected) ?? null : null);

/** fn(chat) for the selected chat, if any. */
export function withChat(fn) {
  const chat = current();
  if (chat) fn(chat);
}
