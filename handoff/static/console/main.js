/*
 * The agent console (/agent): sign in, live queue, my chats, replies, canned replies,
 * transfer and close, over the Socket.IO namespace "/agent" (docs/protocol.md). One
 * module per panel (docs/pages.md); this one wires them to the page.
 *
 * Safety rule: nothing a customer, the bot or another agent wrote ever becomes HTML.
 * Every node is built with createElement + textContent (core/dom.js); bot and agent
 * Markdown goes through core/markdown.js, which returns DOM nodes and only links
 * http(s) URLs.
 */
import { byId, domReady } from '../core/dom.js';
import { session } from '../core/storage.js';
import { buildActions } from './actions.js';
import { buildComposer } from './composer.js';
import { emitPresence, start } from './connection.js';
import { fillLanguageSelect, t } from './language.js';
import { onLoginSubmit, refreshToken, showLogin, signOut } from './login.js';
import { notificationsOn, onNotifyChange, unlockAudio } from './notify.js';
import { renderChatsMeta, setLanguage, updateTitle } from './panels.js';
import { renderQueue, setupQueueFilter, takeNext, tickQueue } from './queue.js';
import { STORE, state } from './state.js';
import { renderTab } from './chats.js';

function init() {
  buildComposer();
  buildActions();
  byId('login-form').addEventListener('submit', onLoginSubmit);
  byId('logout').addEventListener('click', () => signOut(t('console.signedOut')));
  fillLanguageSelect(byId('ui-language'));
  byId('ui-language').addEventListener('change', () => setLanguage(byId('ui-language').value));
  setupQueueFilter();
  setLanguage(t.lang);
  byId('presence').addEventListener('change', () => {
    unlockAudio();
    emitPresence(byId('presence').value);
  });
  byId('take-next').addEventListener('click', takeNext);
  byId('notify').checked = notificationsOn();
  byId('notify').addEventListener('change', onNotifyChange);
  document.addEventListener('pointerdown', unlockAudio, { once: true });
  document.addEventListener('keydown', unlockAudio, { once: true });
  document.addEventListener('visibilitychange', () => {
    const chat = !document.hidden && state.selected ? state.chats.get(state.selected) : null;
    if (chat?.unread) {
      chat.unread = 0;
      renderTab(chat);
      updateTitle();
    }
  });
  setInterval(tickQueue, 1000);
  renderQueue();
  renderChatsMeta();
  if (session(STORE.token)) {
    start();
    refreshToken(); // a reload: fresh token, and the clock for the next one
  } else {
    showLogin('');
  }
}

domReady().then(init);
