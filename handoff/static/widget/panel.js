/*
 * The panel as a whole: opening and closing it (the unread count on the launcher while
 * closed), leaving the queue, starting a new conversation, and a change of the signed-in
 * person (identify).
 */
import { identityOf } from './support.js';

export function open() {
  this.isOpen = true;
  this.panel.hidden = false;
  this.launcher.hidden = true;
  this.launcher.setAttribute('aria-expanded', 'true');
  this.root.classList.add('hc-root--open');
  this.save();
  this.markSeen();
  this.scrollToEnd();
  this.input.focus();
}

export function close() {
  this.isOpen = false;
  this.panel.hidden = true;
  this.launcher.hidden = false;
  this.launcher.setAttribute('aria-expanded', 'false');
  this.root.classList.remove('hc-root--open');
  this.confirmBox.hidden = true;
  this.save();
  this.updateBadge();
  this.launcher.focus();
}

export function markSeen() {
  if (this.isOpen && document.visibilityState !== 'hidden' && this.lastSeen !== this.lastSeq) {
    this.lastSeen = this.lastSeq;
    this.save();
  }
  this.updateBadge();
}

export function updateBadge() {
  let unread = 0;
  if (!this.isOpen) {
    const seen = this.lastSeen;
    Object.keys(this.bySeq).forEach((key) => {
      const node = this.bySeq[key];
      if (Number(key) > seen && node.dataset.sender !== 'user') unread += 1;
    }, this);
  }
  this.badge.textContent = unread > 99 ? '99+' : String(unread);
  this.badge.hidden = unread === 0;
  this.launcher.setAttribute('aria-label', unread > 0
    ? this.t('widget.launcher.unread', { count: unread }) : this.t('widget.launcher'));
}


export function leaveQueue() {
  if (!this.connected) {
    this.showNotice(this.t('widget.notConnected'));
    return;
  }
  this.socket.emit('handoff_cancel', { session_id: this.sessionId });
  this.input.focus();
}

export function askNewConversation() {
  this.confirmBox.hidden = false;
  this.confirmYes.focus();
}

export function resetView() {
  while (this.log.firstChild) this.log.removeChild(this.log.firstChild);
  this.bySeq = {};
  this.byClientId = {};
  this.lastSeq = 0;
  this.lastSeen = 0;
  this.csatDone = false;
  this.hadAgent = false;
  this.state = 'bot';
  this.chatLanguage = null; // a new chat: its language is reported anew
  this.agentName = '';
  this.agentTyping = '';
  this.hideBotTyping();
  this.onStatus({ state: 'bot' });
  this.csatThanks.textContent = '';
  this.renderOutbox();
}

// Messages not sent yet still go (into whatever chat comes next): shown at the end.
export function renderOutbox() {
  for (const entry of this.outbox.entries) {
    if (!this.byClientId[entry.id]) this.showPending(entry);
  }
  this.updateBadge();
}

export function newConversation() {
  if (this.connected && this.state === 'queued') {
    this.socket.emit('handoff_cancel', { session_id: this.sessionId });
  }
  this.outbox.clear();
  this.sessionId = null;
  this.resetView();
  this.save();
  this.generation += 1;
  if (this.socket && this.socket.connected) {
    this.connected = false;
    this.startSession(this.generation);
  }
}

export function identify() {
  return this.getToken().then((token) => {
    const who = identityOf(token);
    this.token = token;
    if (who === this.who) return false;
    if (this.who === null && !this.sessionId) {
      this.who = who; // no chat yet: nothing to start over
      return false;
    }
    this.who = who;
    this.newConversation();
    return true;
  });
}

export function scrollToEnd() {
  const body = this.body;
  if (window.requestAnimationFrame) {
    window.requestAnimationFrame(() => { body.scrollTop = body.scrollHeight; });
  } else {
    body.scrollTop = body.scrollHeight;
  }
}

