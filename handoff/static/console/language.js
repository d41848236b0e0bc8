/*
 * The console's language: the agent's choice ("Language", kept in localStorage), else
 * the browser's. Every text of the console changes at once, the open chats included;
 * what customers, the bot and agents wrote stays as written.
 */
import { all, byId, el } from '../core/dom.js';
import { SUPPORTED, pick, t as textIn, translator } from '../core/i18n.js';
import { local } from '../core/storage.js';
import { STORE } from './state.js';

/** t(key, values): the console's text in the agent's language (rebound by setLanguage). */
export let t = translator(pick(local(STORE.language), ...(navigator.languages ?? [navigator.language])));

/** Switches the texts to `lang` and remembers the choice; the panels show them again. */
export function useLanguage(lang) {
  t = translator(lang);
  local(STORE.language, t.lang);
  document.documentElement.lang = t.lang;
  byId('ui-language').value = t.lang;
  translatePage(document);
}

export const titleCase = (text) => {
  const s = String(text ?? '');
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : '';
};

/** The name of a chat's language in the console's language ("Russian", "Русский"). */
export const languageName = (code) => (SUPPORTED.includes(code) ? t(`language.${code}`) : String(code ?? ''));

export const planName = (plan) => (t.has(`plan.${plan}`) ? t(`plan.${plan}`) : titleCase(plan));

export const roleName = (role) => (t.has(`role.${role}`) ? t(`role.${role}`) : titleCase(role));

export const priorityName = (p) => t(`priority.${p}`);

/** A chat's language when the console knows it, else "". */
export const chatLanguage = (chat) => (SUPPORTED.includes(chat.language) ? chat.language : '');

/** "RU" / "EN" with the language's name for assistive technology (and as a tooltip). */
export function languageBadge(code, node = el('span', { className: 'lang-badge', role: 'img' })) {
  node.textContent = code ? t(`language.code.${code}`) : '';
  node.setAttribute('aria-label', languageName(code));
  node.title = languageName(code);
  node.hidden = !code;
  return node;
}

/** The static texts under `root`: data-i18n (text) and data-i18n-<attr> (attributes). */
export function translatePage(root) {
  for (const node of all(root, '[data-i18n]')) node.textContent = t(node.getAttribute('data-i18n'));
  for (const attr of ['aria-label', 'title', 'placeholder']) {
    for (const node of all(root, `[data-i18n-${attr}]`)) {
      node.setAttribute(attr, t(node.getAttribute(`data-i18n-${attr}`)));
    }
  }
}

/** The "Language" picker: each language named in itself ("English", "Русский"). */
export function fillLanguageSelect(select) {
  for (const code of SUPPORTED) {
    select.appendChild(el('option', { value: code, lang: code, text: textIn(code, `language.${code}`) }));
  }
}

/** Why a request failed, in the console's language (the gateway's own messages are
 * English: shown as they are in English, else the code's text). */
export function errorText(ack) {
  const code = ack?.code ? String(ack.code) : '';
  if (t.lang === 'en' && ack?.message) return String(ack.message);
  if (code && t.has(`console.reason.${code}`)) return t(`console.reason.${code}`);
  return t('console.reason.unknown');
}
