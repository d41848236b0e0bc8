/*
 * Sending: what the user writes goes into the outbox (core/outbox.js) and shows at once
 * as "Sending…" ("Waiting for connection…" while disconnected); it is shown as sent only
 * once acknowledged. A refusal that may be retried (or no acknowledgement in 15 s) keeps
 * it there ("Not sent yet. Retrying…") and sends it again with backoff under the same
 * client_msg_id; other refusals mark it "Not sent" with the reason. Typing indicators.
 */
import { request } from '../core/socket.js';
import {
  ACK_TIMEOUT_MS, AGENT_TYPING_MS, BOT_WAIT_MS, TOKEN_MARGIN_S, TYPING_EMIT_MS, expiresIn,
  hasWords, identityOf,
} from './support.js';

export function submitInput() {
  const text = this.input.value;
  if (!text.trim()) return;
  this.input.value = '';
  this.autosize();
  this.send(text);
}

export function send(text, title) {
  const entry = this.outbox.add({ text, title: title || undefined, ts: Date.now() / 1000 });
  this.clearQuickReplies();
  this.showPending(entry);
  this.scrollToEnd();
  this.flush(this.generation);
}

/** The bubble of a message still in the outbox, at the end of the log. */
export function showPending(entry) {
  const node = this.renderUser(entry.text, entry.title, entry.ts);
  node.dataset.clientId = entry.id;
  this.byClientId[entry.id] = node;
  this.log.appendChild(node);
  this.setPending(node, true);
}

// A token about to expire is replaced before the next message (the page's callback
// signs a fresh one), so a user who waited long keeps what they are entitled to.
export async function freshToken() {
  if (!this.token || expiresIn(this.token) > TOKEN_MARGIN_S) return false;
  const token = await this.getToken();
  if (!token || identityOf(token) !== this.who) return false; // someone else: not here
  const changed = token !== this.token;
  this.token = token;
  return changed;
}

/** Sends what the outbox holds, once this connection's chat is confirmed and replayed. */
export function flush(generation) {
  if (!this.connected || this.resuming || generation !== this.generation) {
    this.refreshPending();
    return;
  }
  if (this.token && expiresIn(this.token) <= TOKEN_MARGIN_S && !this.refreshingToken &&
      Date.now() - (this.tokenCheckedAt || 0) > 30000) {
    this.refreshingToken = true;
    this.tokenCheckedAt = Date.now(); // (a page that has no fresher one is asked again later)
    this.freshToken().then((changed) => {
      this.refreshingToken = false;
      this.sendToken = changed;
      this.flush(generation);
    }, () => { this.refreshingToken = false; });
    return;
  }
  this.outbox.flush();
  this.refreshPending();
}

/** The outbox's `send`: one user_uttered, resolving with its acknowledgement. */
export function emitMessage(entry) {
  const body = { message: entry.text, session_id: this.sessionId, client_msg_id: entry.id };
  if (entry.title) body.title = entry.title;
  if (this.sendToken) { // the refreshed token goes with the next message
    body.customData = this.customData(false);
    this.sendToken = false;
  }
  if (this.state === 'bot') this.showBotTyping();
  return request(this.socket, 'user_uttered', body, ACK_TIMEOUT_MS);
}

export function onStored(entry, ack) {
  const node = this.byClientId[entry.id];
  if (node) {
    this.setPending(node, false);
    if (typeof ack.seq === 'number') this.assignSeq(node, ack.seq);
  }
  if (typeof ack.language === 'string') this.onChatLanguage(ack.language);
  else if (this.state !== 'queued' && hasWords(entry.text)) this.askStatus();
  this.afterAck();
}

// Not stored (the gateway could not reach its store, was too busy, or never answered):
// the outbox sends it again with backoff; its id makes a repeat harmless.
export function onRetry(entry) {
  const node = this.byClientId[entry.id];
  if (node) this.setPendingText(node, 'widget.state.retrying');
  this.hideBotTyping();
}

export function onFailed(entry, ack) {
  const failed = this.byClientId[entry.id];
  if (failed) {
    failed.classList.add('hc-msg--failed');
    // the gateway's own message is English: in other languages, the code's text
    const reason = this.t.has(`widget.reason.${ack.code}`) ? this.t(`widget.reason.${ack.code}`)
      : (this.lang === 'en' && ack.message) || this.t('widget.reason.refused');
    this.setPendingText(failed, 'widget.state.failed', { reason });
  }
  this.afterAck();
}

// Words may have changed the chat's language (bot/language.py). The gateway sends
// handoff_status on its own only for queued chats; elsewhere a `resume` from the last
// message we have asks for it (it replays nothing new, then sends the status).
export function askStatus() {
  clearTimeout(this.timers.status);
  this.timers.status = setTimeout(() => {
    if (!this.connected || this.resuming || !this.socket) return;
    this.socket.emit('resume', { session_id: this.sessionId, last_seq: this.lastSeq });
  }, 200); // one request for a burst of messages
}

export function afterAck() {
  // stored; in the bot's chats the answer follows, and the indicator stays until then
  if (!this.outbox.inflight && this.state !== 'bot') this.hideBotTyping();
  this.save();
}

export function refreshPending() {
  for (const entry of this.outbox.entries) {
    const node = this.byClientId[entry.id];
    if (node) this.setPendingText(node, this.connected ? 'widget.state.sending' : 'widget.state.waiting');
  }
}

export function setPending(node, pending) {
  node.classList.toggle('hc-msg--pending', pending);
  this.setPendingText(node, pending ? (this.connected ? 'widget.state.sending'
    : 'widget.state.waiting') : '');
}

// The state line under a message of ours: `key` in the catalogue ('' hides it).
export function setPendingText(node, key, values) {
  const line = node.querySelector('.hc-msg__state');
  if (!line) return;
  line._key = key;
  line._values = values;
  line.textContent = key ? this.t(key, values) : '';
  line.hidden = !key;
}

export function showBotTyping() {
  this.botTyping = true;
  this.renderTyping();
  clearTimeout(this.timers.botWait);
  this.timers.botWait = setTimeout(() => this.hideBotTyping(), BOT_WAIT_MS);
}

export function hideBotTyping() {
  this.botTyping = false;
  clearTimeout(this.timers.botWait);
  this.renderTyping();
}

export function onAgentTyping(body) {
  if (body?.sender !== 'agent') return;
  this.agentTyping = typeof body.agent === 'string' && body.agent ? body.agent
    : (this.agentName || this.t('widget.sender.system'));
  this.renderTyping();
  clearTimeout(this.timers.agentTyping);
  this.timers.agentTyping = setTimeout(() => {
    this.agentTyping = '';
    this.renderTyping();
  }, AGENT_TYPING_MS);
}

export function renderTyping() {
  let text = '';
  if (this.agentTyping) text = this.t('widget.typing.agent', { name: this.agentTyping });
  else if (this.botTyping && this.state === 'bot') text = this.t('widget.typing.bot');
  this.typingLine.textContent = text;
  this.typingLine.hidden = !text;
  if (text) this.scrollToEnd();
}

export function userTyping() {
  if (this.state !== 'agent' || !this.connected) return;
  const now = Date.now();
  if (now - this.lastTypingEmit < TYPING_EMIT_MS) return;
  this.lastTypingEmit = now;
  this.socket.emit('typing', { session_id: this.sessionId });
}
