/*
 * Signing in and out: POST /agent/login gives a short-lived token, kept in
 * sessionStorage (a reload keeps the agent signed in; closing the tab ends it), renewed
 * before it ends and handed to the open socket; "Log out" ends it on the server too.
 */
import { byId } from '../core/dom.js';
import { session } from '../core/storage.js';
import { start } from './connection.js';
import { t } from './language.js';
import { unlockAudio } from './notify.js';
import { resetWorkspace, updateTitle } from './panels.js';
import { STORE, state } from './state.js';

const postJson = (path, body, extra = {}) => fetch(path, {
  method: 'POST', headers: { 'Content-Type': 'application/json' },
  credentials: 'same-origin', body: JSON.stringify(body), ...extra,
});

export function showLogin(message) {
  byId('console').hidden = true;
  byId('login').hidden = false;
  byId('login-language-slot').appendChild(byId('language-field')); // one "Language" control
  document.title = t('console.title.signIn');
  byId('login-message').textContent = message || '';
  byId('login-submit').disabled = false;
  const user = byId('login-username');
  if (!user.value) user.value = session(STORE.user) || '';
  (user.value ? byId('login-password') : user).focus();
}

export function showConsole() {
  byId('login').hidden = true;
  byId('console').hidden = false;
  byId('topbar-language-slot').appendChild(byId('language-field'));
  byId('login-error').textContent = '';
  byId('login-message').textContent = '';
  byId('agent-name').textContent = session(STORE.name) || session(STORE.user) || '';
  updateTitle();
}

/** "a minute" / "5 minutes" from the gateway's "try again in 300 s". */
function retryText(error) {
  const match = /(\d+) s\b/.exec(String(error));
  if (!match) return t('console.wait.while');
  const minutes = Math.ceil(Number(match[1]) / 60);
  return minutes <= 1 ? t('console.wait.minute') : t('console.wait.minutes', { count: minutes });
}

function loginError(status, body) {
  if (status === 401) return t('console.login.wrong');
  if (status === 429) {
    return t('console.login.throttled',
      { wait: body?.error ? retryText(body.error) : t('console.wait.while') });
  }
  return t('console.login.failed', { status });
}

export async function onLoginSubmit(event) {
  event.preventDefault();
  unlockAudio();
  const username = byId('login-username').value.trim();
  const password = byId('login-password').value;
  const error = byId('login-error');
  error.textContent = '';
  if (!username || !password) {
    error.textContent = t('console.login.missing');
    (username ? byId('login-password') : byId('login-username')).focus();
    return;
  }
  const button = byId('login-submit');
  button.disabled = true;
  button.textContent = t('console.signingIn');
  let status;
  let body;
  try {
    const resp = await postJson('/agent/login', { username, password });
    status = resp.status;
    body = await resp.json().catch(() => ({}));
  } catch {
    button.disabled = false;
    button.textContent = t('console.signIn');
    error.textContent = t('console.login.unreachable');
    return;
  }
  button.disabled = false;
  button.textContent = t('console.signIn');
  if (status === 200 && typeof body?.token === 'string') {
    byId('login-password').value = '';
    session(STORE.token, body.token);
    scheduleRefresh(body.expires_in);
    session(STORE.user, username);
    session(STORE.name, typeof body.name === 'string' ? body.name : username);
    start();
    return;
  }
  error.textContent = loginError(status, body);
  byId('login-password').select();
  byId('login-password').focus();
}

// Console tokens are short-lived: a fresh one is fetched before the current one ends
// and handed to the open socket (`auth`); a refused refresh means signed out.
export function scheduleRefresh(expiresIn) {
  clearTimeout(state.refreshTimer);
  const seconds = Number(expiresIn) > 0 ? Number(expiresIn) : 900;
  state.refreshTimer = setTimeout(refreshToken, Math.max(5, seconds * 0.75) * 1000);
}

export async function refreshToken() {
  const token = session(STORE.token);
  if (!token) return;
  try {
    const resp = await postJson('/agent/refresh', { token });
    const body = await resp.json().catch(() => ({}));
    if (resp.status === 200 && typeof body.token === 'string') {
      session(STORE.token, body.token);
      state.socket?.emit('auth', { token: body.token });
      scheduleRefresh(body.expires_in);
    } else if (resp.status === 401) {
      signOut(t('console.session.ended'));
    } else {
      scheduleRefresh(60); // try again in a while
    }
  } catch {
    scheduleRefresh(60);
  }
}

export function signOut(message) {
  const token = session(STORE.token);
  if (token) {
    // end the session on the server too, so the token is worthless everywhere
    postJson('/agent/logout', { token }, { keepalive: true })
      .catch(() => { /* the session still ends with its token */ });
  }
  clearTimeout(state.refreshTimer);
  const { socket } = state;
  state.socket = null;
  if (socket) {
    socket.off();
    socket.disconnect();
  }
  for (const key of [STORE.token, STORE.name, STORE.selected, STORE.known]) session(key, null);
  for (const chat of state.chats.values()) session(STORE.draft + chat.id, null);
  resetWorkspace();
  showLogin(message || t('console.signedOut'));
}
