/*
 * What the console tells the agent besides the chats: notices (kept a while, dismissable;
 * errors apart, as alerts), screen-reader announcements, and the connection line.
 */
import { byId, el } from '../core/dom.js';
import { t } from './language.js';

export function announce(text) {
  const node = byId('announcer');
  node.textContent = '';
  setTimeout(() => { node.textContent = text; }, 50);
}

export function notice(text, isError = false) {
  const box = isError ? byId('alerts') : byId('notices');
  const item = el('div', { className: `notice${isError ? ' notice--error' : ''}` },
    el('span', { text }));
  item.appendChild(el('button', {
    className: 'btn btn-small', type: 'button', text: t('console.dismiss'),
    'aria-label': t('console.dismissNotice', { text }), on: { click: () => item.remove() },
  }));
  box.appendChild(item);
  while (box.children.length > 4) box.removeChild(box.firstChild);
  setTimeout(() => item.remove(), isError ? 20000 : 12000);
}

/** The connection line: `key` of its text in the catalogue ('' while connected). */
export function setConnection(key) {
  const node = byId('connection');
  if (key) node.setAttribute('data-i18n', key);
  else node.removeAttribute('data-i18n');
  node.textContent = key ? t(key) : '';
  node.classList.toggle('connection--bad', Boolean(key) && key !== 'console.conn.connecting');
}
