// The message catalogues of the widget and the console (handoff/static/core/i18n.js and
// its data, core/messages/), checked with node's own test runner:
// `node --test tests/e2e/browser/i18n.test.js` (pytest runs it too,
// tests/e2e/browser/test_catalogues.py).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import * as i18n from '../../../handoff/static/core/i18n.js';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { messages } = i18n;

const placeholders = (value) => {
  const texts = typeof value === 'string' ? [value] : Object.values(value);
  return [...new Set(texts.flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))]
    .sort();
};

test('English and Russian have the same keys', () => {
  const en = Object.keys(messages.en).sort();
  const ru = Object.keys(messages.ru).sort();
  assert.deepEqual(ru.filter((k) => !en.includes(k)), [], 'only in Russian');
  assert.deepEqual(en.filter((k) => !ru.includes(k)), [], 'only in English');
  assert.deepEqual(Object.keys(messages).sort(), ['en', 'ru']);
  assert.deepEqual(i18n.SUPPORTED, ['en', 'ru']);
});

test('no value is empty, and each is a text or a set of plural forms', () => {
  for (const [lang, table] of Object.entries(messages)) {
    for (const [key, value] of Object.entries(table)) {
      if (typeof value === 'string') {
        assert.ok(value.trim(), `${lang} ${key} is empty`);
        continue;
      }
      assert.equal(typeof value, 'object', `${lang} ${key}`);
      for (const [category, form] of Object.entries(value)) {
        assert.equal(typeof form, 'string', `${lang} ${key}.${category}`);
        assert.ok(form.trim(), `${lang} ${key}.${category} is empty`);
      }
    }
  }
});

test('plural entries have exactly the plural categories of their language', () => {
  for (const [lang, table] of Object.entries(messages)) {
    const wanted = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.sort();
    for (const [key, value] of Object.entries(table)) {
      if (typeof value !== 'object') continue;
      assert.deepEqual(Object.keys(value).sort(), wanted, `${lang} ${key}`);
      assert.equal(typeof messages.en[key], 'object', `${key}: plural in every language`);
      for (const form of Object.values(value)) {
        assert.ok(form.includes('{count}'), `${lang} ${key}: every form says the number`);
      }
    }
  }
});

test('both languages fill in the same placeholders', () => {
  for (const key of Object.keys(messages.en)) {
    assert.deepEqual(placeholders(messages.ru[key]), placeholders(messages.en[key]), key);
  }
});

test('Russian texts are in Russian', () => {
  const latinOnly = ['language.code.en', 'language.code.ru', 'plan.api'];
  for (const [key, value] of Object.entries(messages.ru)) {
    const texts = typeof value === 'string' ? [value] : Object.values(value);
    for (const text of texts) {
      const words = text.replace(/\{\w+\}/g, '');
      if (!/\p{L}/u.test(words) || latinOnly.includes(key)) continue;
      assert.match(words, /[а-яё]/i, `${key}: "${text}" is not translated`);
    }
  }
});

test('Russian numbers take their plural forms (1 минута, 2 минуты, 5 минут)', () => {
  const wait = (count) => i18n.t('ru', 'widget.queue.wait', { count });
  assert.equal(wait(1), 'Примерное время ожидания: 1 минута.');
  assert.equal(wait(2), 'Примерное время ожидания: 2 минуты.');
  assert.equal(wait(5), 'Примерное время ожидания: 5 минут.');
  assert.equal(wait(11), 'Примерное время ожидания: 11 минут.');
  assert.equal(wait(21), 'Примерное время ожидания: 21 минута.');
  assert.equal(wait(24), 'Примерное время ожидания: 24 минуты.');
  assert.equal(i18n.t('ru', 'console.queue.count', { count: 3 }), '3 клиента ждут');
  assert.equal(i18n.t('ru', 'console.wait.minutes', { count: 15 }), '15 минут');
  assert.equal(i18n.t('en', 'widget.queue.wait', { count: 1 }), 'Estimated wait: about 1 minute.');
  assert.equal(i18n.t('en', 'widget.queue.wait', { count: 3 }), 'Estimated wait: about 3 minutes.');
});

test('lookups: language codes, placeholders, fallbacks', () => {
  assert.equal(i18n.supported('ru-RU'), 'ru');
  assert.equal(i18n.supported('RU'), 'ru');
  assert.equal(i18n.supported('en_GB'), 'en');
  assert.equal(i18n.supported('de'), null);
  assert.equal(i18n.supported(undefined), null);
  assert.equal(i18n.pick('de-DE', 'ru', 'en'), 'ru');
  assert.equal(i18n.pick('de'), 'en');
  assert.equal(i18n.t('ru', 'widget.typing.agent', { name: 'Alice' }), 'Alice печатает…');
  assert.equal(i18n.t('de', 'widget.send'), 'Send'); // unsupported: English
  assert.equal(i18n.t('ru', 'no.such.key'), 'no.such.key');
  const t = i18n.translator('ru-RU');
  assert.equal(t.lang, 'ru');
  assert.equal(t('widget.send'), 'Отправить');
  assert.ok(t.has('widget.send'));
  assert.ok(!t.has('widget.reason.no_such_code'));
});

test("the widget's 'Talk to a person' is the title the gateway accepts in each language", () => {
  // handoff/texts.py keeps the title of the widget's own button; a title it does not know
  // is dropped, and the agent would see the payload instead
  const texts = fs.readFileSync(path.join(ROOT, 'handoff', 'texts.py'), 'utf8');
  const titles = [...texts.matchAll(/"talk_to_person":\s*"([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(titles.sort(), [messages.en['widget.human'], messages.ru['widget.human']].sort());
});

test('every key the pages name is in the catalogue', () => {
  // string literals that look like keys; those ending in "." are prefixes of keys built
  // in code ('widget.error.' + code), which must name at least one key
  const STATIC = path.join(ROOT, 'handoff', 'static');
  const names = ['widget', 'console'].flatMap((dir) => fs.readdirSync(path.join(STATIC, dir))
    .filter((name) => name.endsWith('.js')).map((name) => `${dir}/${name}`));
  const files = [...names, 'agent.html'].map(
    (name) => [name, fs.readFileSync(path.join(STATIC, name), 'utf8')]);
  const keys = Object.keys(messages.en);
  let named = 0;
  for (const [name, source] of files) {
    // (a template literal's text before its first ${...} is a prefix too)
    const literal = /["'`](?:widget|console|language|plan|role|priority)\.[\w.-]*(?:["'`]|\$\{)/g;
    for (const match of source.matchAll(literal)) {
      const key = match[0].slice(1, match[0].endsWith('${') ? -2 : -1);
      if (key.endsWith('.js')) continue; // a file name in a comment
      named += 1;
      if (key.endsWith('.')) {
        assert.ok(keys.some((k) => k.startsWith(key)), `${name}: no key starts with ${key}`);
      } else {
        assert.ok(keys.includes(key), `${name}: ${key} is not in the catalogue`);
      }
    }
  }
  assert.ok(named > 150, `only ${named} keys found: is the pattern still right?`);
});
