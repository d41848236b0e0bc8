/*
 * The supervisors' view (`me.role` "supervisor"): instead of the queue and chats they do
 * not take, the live board the gateway pushes (`board`, every few seconds): the queue by
 * priority with its oldest wait and the chats past their target, every agent's status and
 * load, today's first-response and resolution times; with the reassign form
 * (reassign.js) and the CSAT report (csat.js) under it.
 */
import { byId, clear, el } from '../core/dom.js';
import { duration, timeOfDay } from '../core/time.js';
import { buildCsat, loadCsat, renderCsat } from './csat.js';
import { request } from './connection.js';
import { priorityName, t } from './language.js';
import { buildReassign, renderReassign } from './reassign.js';
import { state } from './state.js';

const PRIORITIES = ['P1', 'P2', 'P3', 'P4'];
const refs = {};

/** "4:05", or "—" when there is no figure. */
export const seconds = (value) => (typeof value === 'number' ? duration(value) : '—');

/** An average rating ("4.5", "4,5"), or "—". */
export const rating = (value) => (typeof value === 'number'
  ? value.toLocaleString(t.lang, { maximumFractionDigits: 1 }) : '—');

/** A table with a caption (for assistive technology), column headers and `rows` of
 * cells; the first cell of a row is its header. */
export function table(captionKey, columnKeys, rows) {
  return el('table', { className: 'board-table' },
    el('caption', { className: 'visually-hidden', text: t(captionKey) }),
    el('thead', {}, el('tr', {}, ...columnKeys.map((key) => el('th', { scope: 'col', text: t(key) })))),
    el('tbody', {}, ...rows.map(([head, ...cells]) => el('tr', {},
      el('th', { scope: 'row', text: head }), ...cells.map((cell) => el('td', { text: cell }))))));
}

/** A section of the board titled by `key` (a region named by its heading). */
export function boardCard(id, key, ...children) {
  return el('section', { className: 'card board-card', 'aria-labelledby': id },
    el('h3', { id, text: t(key), 'data-i18n': key }), ...children);
}

function buildBoard() {
  const root = byId('board');
  refs.updated = el('p', { className: 'count' });
  refs.queue = el('div');
  refs.agents = el('div');
  refs.today = el('div');
  root.appendChild(el('div', { className: 'section-head' },
    el('h2', { id: 'board-title', text: t('console.board'), 'data-i18n': 'console.board' }),
    refs.updated));
  const agents = boardCard('board-agents', 'console.board.agents', refs.agents);
  agents.classList.add('board-card--wide'); // its table has the most columns
  root.appendChild(el('div', { className: 'board-grid' },
    boardCard('board-queue', 'console.board.queue', refs.queue),
    boardCard('board-today', 'console.board.today', refs.today),
    agents,
    buildReassign(),
    buildCsat()));
}

/** Shows the board instead of the queue and chats (a supervisor), or the other way. */
export function showSupervisor(on) {
  byId('workspace').hidden = on;
  byId('board').hidden = !on;
  byId('presence-field').hidden = on;
  const skip = byId('skip-link');
  skip.href = on ? '#board' : '#chats';
  skip.setAttribute('data-i18n', on ? 'console.skip.board' : 'console.skip');
  skip.textContent = t(skip.getAttribute('data-i18n'));
  if (!on) return;
  if (!refs.queue) buildBoard();
  refreshBoard();
  loadCsat();
}

async function refreshBoard() {
  const ack = await request('board', {});
  if (ack.ok) onBoard(ack.board);
}

export function onBoard(board) {
  if (!board || typeof board !== 'object' || !board.queue) return;
  const before = state.board?.today?.csat?.count;
  state.board = board;
  renderBoard();
  // a new rating today: the report (which has its comment) is out of date
  if (before !== undefined && board.today?.csat?.count !== before) loadCsat();
}

/** The board's figures again (a new board, or another language). */
export function renderBoard() {
  if (!refs.queue) return;
  renderCsat();
  const { board } = state;
  if (!board) return;
  const at = Number(board.generated_at);
  refs.updated.textContent = at > 0
    ? t('console.board.updated', { time: timeOfDay(new Date(at * 1000), t.lang) }) : '';
  renderQueueFigures(board.queue);
  renderToday(board.today ?? {});
  renderAgents(Array.isArray(board.agents) ? board.agents : [], board.today?.by_agent ?? {});
  renderReassign();
}

function facts(rows) {
  return el('dl', { className: 'facts board-facts' }, ...rows.map(([term, value]) => el('div',
    { className: 'fact' }, el('dt', { text: term }), el('dd', { text: value }))));
}

function renderQueueFigures(queue) {
  clear(refs.queue);
  const byPriority = queue.by_priority ?? {};
  refs.queue.appendChild(facts([
    [t('console.board.waiting'), String(queue.total ?? 0)],
    [t('console.board.oldest'), seconds(queue.oldest_wait_s)],
    [t('console.board.pastTarget'), String(queue.past_target ?? 0)],
  ]));
  refs.queue.appendChild(table('console.board.queue.caption',
    ['console.board.priority', 'console.board.waiting', 'console.board.oldest',
      'console.board.pastTarget', 'console.board.target'],
    PRIORITIES.map((p) => {
      const row = byPriority[p] ?? {};
      return [`${p} ${priorityName(p)}`, String(row.waiting ?? 0), seconds(row.oldest_wait_s),
        String(row.past_target ?? 0), seconds(row.target_s)];
    })));
}

const figure = (f) => (f && f.count
  ? t('console.board.figure', { average: seconds(f.average), max: seconds(f.max), count: f.count })
  : '—');

function renderToday(today) {
  clear(refs.today);
  const csat = today.csat ?? {};
  refs.today.appendChild(facts([
    [t('console.board.firstResponse'), figure(today.first_response_s)],
    [t('console.board.resolution'), figure(today.resolution_s)],
    [t('console.board.handedBack'), String(today.handed_back ?? 0)],
    [t('console.board.csat'), csat.count
      ? t('console.board.csatFigure', { average: rating(csat.average), count: csat.count }) : '—'],
  ]));
}

function statusText(agent) {
  const status = ['online', 'away', 'offline'].includes(agent.status) ? agent.status : 'offline';
  const text = t(`console.status.${status}`);
  return agent.connected === false && status !== 'offline' ? `${text} ${t('console.board.noConsole')}` : text;
}

function renderAgents(agents, byAgent) {
  clear(refs.agents);
  if (!agents.length) {
    refs.agents.appendChild(el('p', { className: 'empty', text: t('console.board.noAgents') }));
    return;
  }
  refs.agents.appendChild(table('console.board.agents.caption',
    ['console.board.agent', 'console.status', 'console.board.load', 'console.board.firstResponse',
      'console.board.resolution', 'console.board.handedBack', 'console.board.csat'],
    agents.map((a) => {
      const today = byAgent[a.username] ?? {};
      return [String(a.name || a.username), statusText(a),
        t('console.board.loadValue', { active: a.active_chats ?? 0, capacity: a.capacity ?? 0 }),
        seconds(today.first_response_s?.average), seconds(today.resolution_s?.average),
        String(today.handed_back ?? 0), rating(today.csat?.average)];
    })));
}
