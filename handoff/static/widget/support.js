/*
 * What the widget's parts share: its configuration (from the script tag, see main.js),
 * timings, icons, and small helpers about tokens and texts.
 */
import { el } from '../core/dom.js';
import { render } from '../core/markdown.js';
import { supported, translator } from '../core/i18n.js';

/** Set once by main.js from the script tag: base (the gateway), storageKey, uid, title,
 * country, language (the page's, sent as customData.language), tokenCallback. */
export const CONFIG = {};

export const TYPING_EMIT_MS = 2000;
export const AGENT_TYPING_MS = 4000;
export const BOT_WAIT_MS = 30000;
export const ACK_TIMEOUT_MS = 15000; // no acknowledgement by then: send again (same id)
export const RESUME_WAIT_MS = 5000;
export const TOKEN_MARGIN_S = 60; // ask the page for a fresh identity token this close to expiry
// Refusals after which the same message may simply be sent again.
export const RETRYABLE = ['rate_limited', 'unavailable', 'busy', 'internal', 'timeout'];
export const MAX_CHARS = 4000;

export const ICONS = {
  chat: ['M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  minimize: ['M6 9l6 6 6-6'],
  refresh: ['M20 11a8 8 0 1 0-2.3 5.7', 'M20 4v7h-7'],
  send: ['M3 20l18-8L3 4l2 8-2 8z', 'M5 12h8'],
};

/** el(tag, {className, text}) in short. */
export const elText = (tag, className, text) => el(tag, { className, text });

export { supported as supportedLanguage, translator };

function claims(token) {
  try {
    let part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    while (part.length % 4) part += '=';
    const parsed = JSON.parse(atob(part));
    return parsed && typeof parsed === 'object' ? parsed : null;
  } catch {
    return null; // not a JWT
  }
}

/** The identity a token stands for ("sub" of the JWT), only to notice a change of user;
 * the gateway verifies the token, the widget never trusts it. */
export function identityOf(token) {
  if (!token) return '';
  const sub = claims(token)?.sub;
  return typeof sub === 'string' ? `sub:${sub}` : `token:${token}`;
}

/** Seconds until the token expires (Infinity when it says nothing we can read). */
export function expiresIn(token) {
  const exp = token ? claims(token)?.exp : undefined;
  return typeof exp === 'number' ? exp - Date.now() / 1000 : Infinity;
}

/** Whether a message has words at all (a button's payload such as "/affirm", a number or
 * an emoji never changes the chat's language). */
export function hasWords(text) {
  const s = String(text ?? '').trim();
  return s.charAt(0) !== '/' && /[A-Za-z\u00C0-\u024F\u0400-\u04FF]{2}/.test(s);
}

export function renderMarkdown(text) {
  try {
    return render(text);
  } catch {
    const frag = document.createDocumentFragment();
    frag.appendChild(elText('p', 'hc-plain', text));
    return frag;
  }
}
