/*
 * The demo help-center page: article search, its language (English or Russian) and,
 * outside production, the "Sign in as" switch that stands in for the help center's own
 * login. The page hands the widget its signed identity through the token callback named
 * in the widget's script tag (data-token-callback="helpCenterIdentityToken"), and its
 * language through the tag's data-language (before the widget starts) and
 * HelpCenterChat.setLanguage (when the visitor switches).
 *
 * The page's texts: English in the markup, Russian (and the English of the texts made
 * here) in the JSON block #page-texts; data-i18n="key" marks a text, data-i18n-<attr> an
 * attribute, data-card="<article id>" a card whose title and text are card.<id>.*.
 *
 * A module script: it runs before /widget.js (deferred scripts and modules run in document
 * order), so the widget starts in the page's language.
 */
import { has, t as textIn } from '../core/i18n.js';

const TOKEN_KEY = 'hc-demo:token';
const USER_KEY = 'hc-demo:user';
const LANGUAGE_KEY = 'hc-demo:language';
const LANGUAGES = ['en', 'ru'];
const TEXTS = readTexts();
let language = firstLanguage();
setWidgetLanguage(language); // before widget.js runs (both scripts are deferred, in order)

function readTexts() {
  try {
    const node = document.getElementById('page-texts');
    const parsed = JSON.parse(node ? node.textContent : '{}');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch (e) {
    return {};
  }
}

function supported(code) {
  const base = String(code || '').toLowerCase().split(/[-_]/)[0];
  return LANGUAGES.indexOf(base) >= 0 ? base : null;
}

// The visitor's last choice, else the browser's language, else English.
function firstLanguage() {
  const langs = [read(LANGUAGE_KEY)].concat(navigator.languages || [navigator.language]);
  for (let i = 0; i < langs.length; i++) {
    if (supported(langs[i])) return supported(langs[i]);
  }
  return 'en';
}

// A text made by this script, in the page's language ({name} filled in; plural entries
// chosen with Intl.PluralRules by `count`).
function t(key, values) {
  let entry = (TEXTS[language] || {})[key];
  if (entry === undefined) entry = (TEXTS.en || {})[key];
  if (entry === undefined) return key;
  values = values || {};
  if (typeof entry === 'object') {
    let category = 'other';
    try { category = new Intl.PluralRules(language).select(Number(values.count)); } catch (e) { /* */ }
    entry = entry[category] || entry.other;
  }
  return String(entry).replace(/\{(\w+)\}/g, function (whole, name) {
    return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
  });
}

function setWidgetLanguage(lang) {
  const tag = document.querySelector('script[src$="/widget.js"]');
  if (tag) tag.setAttribute('data-language', lang);
  if (window.HelpCenterChat && typeof window.HelpCenterChat.setLanguage === 'function') {
    window.HelpCenterChat.setLanguage(lang);
  }
}

function read(key) {
  try { return window.localStorage.getItem(key); } catch (e) { return null; }
}
function write(key, value) {
  try {
    if (value === null || value === undefined || value === '') window.localStorage.removeItem(key);
    else window.localStorage.setItem(key, value);
  } catch (e) { /* storage unavailable: the switch works for this page only */ }
}

function tokenExpired(token) {
  try {
    let part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    while (part.length % 4) part += '=';
    const claims = JSON.parse(atob(part));
    return typeof claims.exp === 'number' && claims.exp * 1000 < Date.now() + 60000;
  } catch (e) {
    return true;
  }
}

function requestToken(user) {
  return fetch('/dev/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: user }),
    credentials: 'same-origin'
  }).then(function (response) {
    if (!response.ok) throw new Error('sign-in failed (' + response.status + ')');
    return response.json();
  }).then(function (body) {
    if (!body || typeof body.token !== 'string') throw new Error('sign-in failed');
    return body.token;
  });
}

// The identity the widget asks for: a stored token, refreshed first if it has expired.
let ready = (function () {
  const user = read(USER_KEY);
  const token = read(TOKEN_KEY);
  if (!user) return Promise.resolve(null);
  if (token && !tokenExpired(token)) return Promise.resolve(token);
  return requestToken(user).then(function (fresh) {
    write(TOKEN_KEY, fresh);
    return fresh;
  }, function () {
    write(USER_KEY, null);
    write(TOKEN_KEY, null);
    return null;
  });
})();

window.helpCenterIdentityToken = function () {
  return ready.then(function () { return read(TOKEN_KEY) || null; });
};

// -- the page's language ------------------------------------------------------------------
let english = null; // the markup's own (English) texts, kept to switch back

function pageTexts() {
  const items = [];
  Array.prototype.forEach.call(document.querySelectorAll('[data-i18n]'), function (node) {
    items.push({ node: node, attr: null, key: node.getAttribute('data-i18n') });
  });
  ['aria-label', 'placeholder', 'content'].forEach(function (attr) {
    Array.prototype.forEach.call(document.querySelectorAll('[data-i18n-' + attr + ']'),
      function (node) {
        items.push({ node: node, attr: attr, key: node.getAttribute('data-i18n-' + attr) });
      });
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-card]'), function (card) {
    const id = card.getAttribute('data-card');
    items.push({ node: card.querySelector('h3'), attr: null, key: 'card.' + id + '.title' });
    items.push({ node: card.querySelector('p'), attr: null, key: 'card.' + id + '.text' });
    items.push({ node: card, attr: 'data-keywords', key: 'card.' + id + '.keywords' });
  });
  return items.filter(function (item) { return item.node; });
}

function translatePage(lang) {
  const items = pageTexts();
  if (!english) {
    english = items.map(function (item) {
      return item.attr ? item.node.getAttribute(item.attr) : item.node.textContent;
    });
    english.title = document.title;
  }
  const table = lang === 'en' ? null : TEXTS[lang] || {};
  items.forEach(function (item, i) {
    const value = table && typeof table[item.key] === 'string' ? table[item.key] : english[i];
    if (item.attr) item.node.setAttribute(item.attr, value);
    else item.node.textContent = value;
  });
  document.title = table && table['page.title'] ? table['page.title'] : english.title;
  document.documentElement.lang = lang;
  // the articles in the page's language
  Array.prototype.forEach.call(document.querySelectorAll('a[href^="/kb/"]'), function (a) {
    a.setAttribute('href', a.getAttribute('href').replace(/^\/kb\/[a-z]{2}\//, '/kb/' + lang + '/'));
  });
}

function setupLanguage(onChange) {
  const select = document.getElementById('page-language');
  translatePage(language);
  if (!select) return;
  select.value = language;
  select.addEventListener('change', function () {
    language = supported(select.value) || 'en';
    write(LANGUAGE_KEY, language);
    translatePage(language);
    setWidgetLanguage(language);
    onChange();
  });
}

function el(tag, text) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
}

// The demo users' names in the page's language ("Bo Business - business admin").
function userLabel(u) {
  // the widget's catalogue names plans and roles
  let plan = u.plan || '';
  let role = u.role || '';
  if (language !== 'en') {
    plan = has(language, 'plan.' + plan) ? textIn(language, 'plan.' + plan) : plan;
    role = has(language, 'role.' + role) ? textIn(language, 'role.' + role).toLowerCase() : role;
  }
  return t('signin.user', { name: String(u.name || u.user), plan: plan, role: role })
    .replace(/\s+-\s+$/, '').replace(/\s+/g, ' ').trim();
}

let users = [];
let signedIn = false; // what the status line says, to say it again in another language
let signInError = '';

function renderSignIn() {
  const select = document.getElementById('signin-user');
  const status = document.getElementById('signin-status');
  if (!select) return;
  users.forEach(function (u) {
    const option = select.querySelector('option[value="' + u.user + '"]');
    if (option) option.textContent = userLabel(u);
  });
  if (signInError) status.textContent = t('signin.failed', { reason: signInError });
  else if (status.textContent) {
    status.textContent = signedIn && select.value
      ? t('signin.signedIn', { user: select.options[select.selectedIndex].text })
      : t('signin.signedOut');
  }
}

function setupSignIn() {
  const box = document.getElementById('signin');
  const select = document.getElementById('signin-user');
  const status = document.getElementById('signin-status');
  if (!box || !select) return;
  fetch('/dev/users', { credentials: 'same-origin' }).then(function (response) {
    if (!response.ok) throw new Error('no demo users');
    return response.json();
  }).then(function (body) {
    users = (body && Array.isArray(body.users) ? body.users : []).filter(function (u) {
      return u && typeof u.user === 'string';
    });
    users.forEach(function (u) {
      const option = el('option', userLabel(u));
      option.value = u.user;
      select.appendChild(option);
    });
    select.value = read(USER_KEY) || '';
    if (select.value !== (read(USER_KEY) || '')) select.value = '';
    box.hidden = false;
  }).catch(function () {
    box.hidden = true; // production: the help center's real login provides the token
  });

  select.addEventListener('change', function () {
    const user = select.value;
    select.disabled = true;
    status.textContent = '';
    signInError = '';
    const done = user ? requestToken(user) : Promise.resolve(null);
    ready = done.then(function (token) {
      write(USER_KEY, user || null);
      write(TOKEN_KEY, token);
      return token;
    });
    ready.then(function () {
      signedIn = !!user;
      status.textContent = user
        ? t('signin.signedIn', { user: select.options[select.selectedIndex].text })
        : t('signin.signedOut');
      if (window.HelpCenterChat && typeof window.HelpCenterChat.identify === 'function') {
        return window.HelpCenterChat.identify();
      }
      return null;
    }).catch(function (err) {
      signInError = err && err.message ? err.message : 'error';
      status.textContent = t('signin.failed', { reason: signInError });
      select.value = read(USER_KEY) || '';
    }).then(function () {
      select.disabled = false;
      select.focus();
    });
  });
}

function setupSearch() {
  const form = document.getElementById('search-form');
  const input = document.getElementById('search-input');
  const cards = Array.prototype.slice.call(document.querySelectorAll('#cards .card'));
  const empty = document.getElementById('cards-empty');
  const result = document.getElementById('search-result');
  if (!form || !input) return;
  function filter() {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    cards.forEach(function (card) {
      const hay = (card.textContent + ' ' + (card.getAttribute('data-keywords') || '')).toLowerCase();
      const match = words.every(function (w) { return hay.indexOf(w) >= 0; });
      card.hidden = !match;
      if (match) shown += 1;
    });
    empty.hidden = shown > 0;
    result.textContent = words.length ? t('search.found', { count: shown }) : '';
  }
  searchAgain = filter;
  input.addEventListener('input', filter);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    filter();
  });
  const q = new URLSearchParams(location.search).get('q');
  if (q) {
    input.value = q;
    filter();
  }
}

function setupContact() {
  const button = document.getElementById('chat-cta');
  if (!button) return;
  button.addEventListener('click', function () {
    if (window.HelpCenterChat) window.HelpCenterChat.open();
  });
}

let searchAgain = function () {};

function start() {
  setupLanguage(function () {
    renderSignIn();
    if (document.getElementById('search-input').value) searchAgain();
  });
  setupSignIn();
  setupSearch();
  setupContact();
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
