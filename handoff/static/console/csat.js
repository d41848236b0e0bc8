/*
 * Customer satisfaction for supervisors: the ratings of the last days by day and by agent
 * (the one who closed the chat), the newest ones with their comments (`csat_report`),
 * and "Download CSV" of every rating: fetched with the console token in the
 * Authorization header (never in a URL) and saved from a Blob.
 */
import { clear, el } from '../core/dom.js';
import { attachmentName, saveBlob } from '../core/download.js';
import { session } from '../core/storage.js';
import { clock } from '../core/time.js';
import { boardCard, rating, table } from './board.js';
import { request } from './connection.js';
import { errorText, languageName, t } from './language.js';
import { STORE, state } from './state.js';

const PERIODS = [7, 30];
const refs = {};

export function buildCsat() {
  refs.days = el('select', { id: 'csat-days' });
  refs.days.addEventListener('change', loadCsat);
  refs.download = el('button', {
    className: 'btn', type: 'button', text: t('console.csat.download'),
    'data-i18n': 'console.csat.download', on: { click: downloadCsv },
  });
  refs.error = el('p', { className: 'form-error', role: 'alert' });
  refs.body = el('div', { className: 'csat-report' });
  fillPeriods();
  return boardCard('board-csat', 'console.csat',
    el('div', { className: 'csat-controls' },
      el('div', { className: 'inline-field' },
        el('label', { for: 'csat-days', text: t('console.csat.period'), 'data-i18n': 'console.csat.period' }),
        refs.days),
      refs.download),
    refs.error, refs.body);
}

function fillPeriods() {
  const keep = refs.days.value || String(PERIODS[0]);
  clear(refs.days);
  for (const days of PERIODS) {
    refs.days.appendChild(el('option', { value: String(days), text: t('console.csat.days', { count: days }) }));
  }
  refs.days.value = keep;
}

export async function loadCsat() {
  if (!refs.days) return;
  const ack = await request('csat_report', { days: Number(refs.days.value) });
  if (!ack.ok || !ack.report) {
    refs.error.textContent = t('console.csat.failed', { reason: errorText(ack) });
    return;
  }
  refs.error.textContent = '';
  state.csat = ack.report;
  renderCsat();
}

/** The report again (a new one, or another language). */
export function renderCsat() {
  if (!refs.days) return;
  fillPeriods();
  clear(refs.body);
  const report = state.csat;
  if (!report) return;
  const days = Array.isArray(report.days) ? report.days : [];
  const agents = Array.isArray(report.agents) ? report.agents : [];
  const ratings = Array.isArray(report.ratings) ? report.ratings : [];
  if (!ratings.length && !days.some((d) => d.count)) {
    refs.body.appendChild(el('p', { className: 'empty', text: t('console.csat.none') }));
    return;
  }
  refs.body.appendChild(el('h4', { text: t('console.csat.byDay') }));
  refs.body.appendChild(table('console.csat.byDay', ['console.csat.day', 'console.csat.count',
    'console.csat.average'], days.map((d) => [String(d.day), String(d.count ?? 0), rating(d.average)])));
  refs.body.appendChild(el('h4', { text: t('console.csat.byAgent') }));
  refs.body.appendChild(table('console.csat.byAgent', ['console.board.agent', 'console.csat.count',
    'console.csat.average'], agents.map((a) => [String(a.name || a.username), String(a.count ?? 0),
    rating(a.average)])));
  refs.body.appendChild(el('h4', { text: t('console.csat.comments') }));
  refs.body.appendChild(el('ul', { className: 'csat-ratings' }, ...ratings.map((r) => el('li', {
    className: 'csat-rating',
  }, el('p', { className: 'msg-meta' },
    el('span', { className: 'csat-stars', text: t('console.csat.rating', { rating: r.rating }) }),
    el('span', { text: String(r.agent_name || r.agent || '') }),
    el('span', { text: languageName(r.language) }),
    el('time', { text: clock(Number(r.ts), t.lang) })),
  el('p', { className: r.comment ? 'csat-comment' : 'hint', text: r.comment || t('console.csat.noComment') })))));
}

async function downloadCsv() {
  refs.error.textContent = '';
  refs.download.disabled = true;
  const days = Number(refs.days.value) || PERIODS[0];
  try {
    const resp = await fetch(`/agent/csat.csv?days=${days}`, {
      headers: { Authorization: `Bearer ${session(STORE.token) || ''}` },
      credentials: 'same-origin', cache: 'no-store',
    });
    if (!resp.ok) {
      refs.error.textContent = t('console.csat.downloadFailed', { status: resp.status });
      return;
    }
    const blob = await resp.blob();
    saveBlob(blob, attachmentName(resp.headers.get('Content-Disposition')) || `csat-${days}d.csv`);
  } catch {
    refs.error.textContent = t('console.login.unreachable');
  } finally {
    refs.download.disabled = false;
  }
}
