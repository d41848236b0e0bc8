/*
 * The message catalogues of the chat widget and the agent console: every text the two
 * pages show themselves (labels, buttons, statuses, notices, errors, aria-labels,
 * placeholders), in English and Russian, with the same keys in both (checked by
 * tests/e2e/browser/i18n.test.js). What the bot, the gateway and the agents write comes
 * from them, in the chat's language; these are only the pages' own words.
 *
 *   const t = translator('ru');
 *   t('widget.send')                    -> "Отправить"
 *   t('widget.queue.wait', {count: 5})  -> "Примерное время ожидания: 5 минут."
 *   supported('ru-RU')                  -> "ru"   (null for unsupported codes)
 *
 * A value is a string with {placeholders}, or, for a number, an object with one entry
 * per plural category of the language (Intl.PluralRules: English one/other, Russian
 * one/few/many/other: 1 минута, 2 минуты, 5 минут, 1,5 минуты), chosen by `count`.
 * The data lives in messages/<language>-<area>.js.
 */
import enConsole from './messages/en-console.js';
import enWidget from './messages/en-widget.js';
import ruConsole from './messages/ru-console.js';
import ruWidget from './messages/ru-widget.js';

export const SUPPORTED = Object.freeze(['en', 'ru']);
export const DEFAULT = 'en';

export const messages = Object.freeze({
  en: Object.freeze({ ...enWidget, ...enConsole }),
  ru: Object.freeze({ ...ruWidget, ...ruConsole }),
});

const own = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/** 'ru' for 'ru', 'RU', 'ru-RU', 'ru_RU'; null for anything unsupported. */
export function supported(code) {
  if (typeof code !== 'string') return null;
  const base = code.trim().toLowerCase().replace(/_/g, '-').split('-')[0];
  return SUPPORTED.includes(base) ? base : null;
}

/** The first supported language among the candidates, else English. */
export function pick(...candidates) {
  for (const candidate of candidates) {
    const lang = supported(candidate);
    if (lang) return lang;
  }
  return DEFAULT;
}

const rules = new Map();

export function pluralCategory(lang, count) {
  try {
    if (!rules.has(lang)) rules.set(lang, new Intl.PluralRules(lang));
    return rules.get(lang).select(count);
  } catch {
    return count === 1 ? 'one' : 'other';
  }
}

export function has(lang, key) {
  return own(messages[supported(lang) ?? DEFAULT], key);
}

/** The text of `key` in `lang` (English when missing there; the key itself if unknown),
 * {placeholders} filled from `values`; plural entries chosen by `values.count`. */
export function t(lang, key, values) {
  values ??= {};
  const chosen = supported(lang) ?? DEFAULT;
  let entry = messages[chosen][key] ?? messages[DEFAULT][key];
  if (entry === undefined) return key;
  if (typeof entry === 'object') {
    entry = entry[pluralCategory(chosen, Number(values.count))] ?? entry.other;
  }
  return String(entry).replace(/\{([A-Za-z_]+)\}/g,
    (whole, name) => (own(values, name) ? String(values[name]) : whole));
}

/** t() bound to one language: `fn(key, values)`, with `fn.lang` and `fn.has(key)`. */
export function translator(lang) {
  const chosen = supported(lang) ?? DEFAULT;
  const fn = (key, values) => t(chosen, key, values);
  fn.lang = chosen;
  fn.has = (key) => has(chosen, key);
  return fn;
}
