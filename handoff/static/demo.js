/*
 * The demo help-center page: article search and, outside production, the "Sign in as"
 * switch that stands in for the help center's own login. The page hands the widget its
 * signed identity through the token callback named in the widget's script tag
 * (data-token-callback="helpCenterIdentityToken").
 */
(function () {
  'use strict';

  var TOKEN_KEY = 'hc-demo:token';
  var USER_KEY = 'hc-demo:user';

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
      var part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      while (part.length % 4) part += '=';
      var claims = JSON.parse(atob(part));
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
  var ready = (function () {
    var user = read(USER_KEY);
    var token = read(TOKEN_KEY);
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

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function setupSignIn() {
    var box = document.getElementById('signin');
    var select = document.getElementById('signin-user');
    var status = document.getElementById('signin-status');
    if (!box || !select) return;
    fetch('/dev/users', { credentials: 'same-origin' }).then(function (response) {
      if (!response.ok) throw new Error('no demo users');
      return response.json();
    }).then(function (body) {
      var users = body && Array.isArray(body.users) ? body.users : [];
      users.forEach(function (u) {
        if (!u || typeof u.user !== 'string') return;
        var option = el('option', String(u.name || u.user) + ' - ' +
          [u.plan, u.role].filter(Boolean).join(' '));
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
      var user = select.value;
      select.disabled = true;
      status.textContent = '';
      var done = user ? requestToken(user) : Promise.resolve(null);
      ready = done.then(function (token) {
        write(USER_KEY, user || null);
        write(TOKEN_KEY, token);
        return token;
      });
      ready.then(function () {
        status.textContent = user ? 'Signed in as ' + select.options[select.selectedIndex].text
          : 'Signed out';
        if (window.HelpCenterChat && typeof window.HelpCenterChat.identify === 'function') {
          return window.HelpCenterChat.identify();
        }
        return null;
      }).catch(function (err) {
        status.textContent = 'Could not sign in: ' + (err && err.message ? err.message : 'error');
        select.value = read(USER_KEY) || '';
      }).then(function () {
        select.disabled = false;
        select.focus();
      });
    });
  }

  function setupSearch() {
    var form = document.getElementById('search-form');
    var input = document.getElementById('search-input');
    var cards = Array.prototype.slice.call(document.querySelectorAll('#cards .card'));
    var empty = document.getElementById('cards-empty');
    var result = document.getElementById('search-result');
    if (!form || !input) return;
    function filter() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      cards.forEach(function (card) {
        var hay = (card.textContent + ' ' + (card.getAttribute('data-keywords') || '')).toLowerCase();
        var match = words.every(function (w) { return hay.indexOf(w) >= 0; });
        card.hidden = !match;
        if (match) shown += 1;
      });
      empty.hidden = shown > 0;
      result.textContent = words.length ? shown + (shown === 1 ? ' article' : ' articles') + ' found' : '';
    }
    input.addEventListener('input', filter);
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      filter();
    });
    var q = new URLSearchParams(location.search).get('q');
    if (q) {
      input.value = q;
      filter();
    }
  }

  function setupContact() {
    var button = document.getElementById('chat-cta');
    if (!button) return;
    button.addEventListener('click', function () {
      if (window.HelpCenterChat) window.HelpCenterChat.open();
    });
  }

  function start() {
    setupSignIn();
    setupSearch();
    setupContact();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
