/*
 * The handoff status (queued with position and wait, "Chatting with Alice"), the
 * widget's language (the chat's as the gateway reports it, or the page's, whichever
 * changed last: docs/pages.md Languages), and notices of errors in the widget's words.
 */
import { all } from '../core/dom.js';
import { timeOfDay } from '../core/time.js';
import { CONFIG, supportedLanguage, translator } from './support.js';

export function onStatus(status) {
  if (!status || typeof status !== 'object') return;
  const state = ['bot', 'queued', 'agent'].includes(status.state) ? status.state : 'bot';
  this.status = status;
  this.state = state;
  this.agentName = typeof status.agent === 'string' ? status.agent : '';
  this.onChatLanguage(status.language);
  const t = this.t;
  let text = '';
  if (state === 'queued') {
    const parts = [t('widget.queue.waiting')];
    if (typeof status.position === 'number' && status.position > 0) {
      parts.push(status.position === 1 ? t('widget.queue.next')
        : t('widget.queue.position', { position: status.position }));
    }
    if (status.agents_online === 0) {
      parts.push(t('widget.queue.nobody'));
    } else if (typeof status.estimated_wait_s === 'number') {
      parts.push(t('widget.queue.wait',
        { count: Math.max(1, Math.round(status.estimated_wait_s / 60)) }));
    }
    text = parts.join(' ');
    this.subtitleKey = 'widget.subtitle.queued';
  } else if (state === 'agent') {
    text = this.agentName ? t('widget.agent.named', { name: this.agentName })
      : t('widget.agent.unnamed');
    this.subtitleKey = 'widget.subtitle.agent';
  } else {
    this.subtitleKey = 'widget.subtitle.bot';
  }
  this.subtitle.textContent = t(this.subtitleKey);
  this.handoffText.textContent = text;
  this.handoffBar.hidden = !text;
  this.handoffBar.className = 'hc-handoff hc-handoff--' + state;
  this.leaveButton.hidden = state !== 'queued';
  this.humanButton.hidden = state !== 'bot';
  if (state !== 'bot') this.hideBotTyping();
  this.renderTyping();
  const pending = state === 'bot' && status.csat_pending === true;
  this.setCsat(pending);
  if (state === 'agent') this.hadAgent = true;
  this.renderCopy();
}

// The chat's language as the gateway reports it: followed when it changes (the user wrote
// in, or asked for, another language). A chat with no message yet has only the page's
// language or the gateway's default, which says nothing.
export function onChatLanguage(code) {
  const lang = supportedLanguage(code);
  if (!lang || lang === this.chatLanguage) return;
  if (!this.lastSeq && !this.outbox.entries.length) return;
  this.chatLanguage = lang;
  this.useLanguage(lang);
  this.save();
}

// The page's language changed (HelpCenterChat.setLanguage): the texts follow at once,
// and the chat is asked for again with it, so the gateway's messages follow too.
export function setLanguage(code) {
  const lang = supportedLanguage(code);
  if (!lang) return this.lang;
  CONFIG.language = lang;
  this.pageLanguage = lang;
  this.useLanguage(lang);
  this.save();
  // (while a chat is being asked for, its confirmation sees the change: onConfirm)
  if (this.connected && this.sentLanguage !== lang) this.askAgain();
  return lang;
}

// Ask for the same chat again (with the page's language, see customData).
export function askAgain() {
  this.connected = false;
  this.generation += 1;
  this.outbox.reset();
  this.startSession(this.generation);
}

export function useLanguage(lang) {
  if (lang === this.lang) return;
  this.lang = lang;
  this.t = translator(lang);
  this.applyLanguage();
}

// Every text the widget shows itself, again in this.lang.
export function applyLanguage() {
  const t = this.t;
  this.root.setAttribute('lang', t.lang);
  this.labels.forEach((entry) => { this.setLabel(entry[0], entry[1], entry[2]); });
  this.ratingLabels.forEach((node) => {
    const rating = node.dataset.rating;
    node.textContent = t('widget.rate.option', { rating: rating, name: t('widget.rate.' + rating) });
  });
  all(this.log, '.hc-msg__sender[data-key]').forEach(
    (node) => { node.textContent = t(node.dataset.key); });
  all(this.log, '.hc-msg__time').forEach((node) => {
    node.textContent = timeOfDay(new Date(node.getAttribute('datetime')), t.lang);
  });
  all(this.log, '.hc-msg__state').forEach((node) => {
    if (node._key) node.textContent = t(node._key, node._values);
  });
  if (this.connKey) this.connStatus.textContent = t(this.connKey);
  if (this.status) this.onStatus(this.status);
  else this.subtitle.textContent = t(this.subtitleKey);
  this.renderTyping();
  this.clearQuickReplies(); // the group's label
  this.updateBadge();
}


export function onError(body) {
  if (!body || typeof body !== 'object') return;
  // the gateway's messages are English: the widget says it in its own words by code
  const key = 'widget.error.' + body.code;
  const text = this.t.has(key) ? this.t(key)
    : (this.lang === 'en' && typeof body.message === 'string' && body.message) ||
      this.t('widget.error.generic');
  this.showNotice(text);
}

export function showNotice(text) {
  this.notice.textContent = text.slice(0, 300);
  this.notice.hidden = false;
  clearTimeout(this.timers.notice);
  this.timers.notice = setTimeout(() => {
    this.notice.hidden = true;
    this.notice.textContent = '';
  }, 8000);
}

