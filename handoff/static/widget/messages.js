/*
 * Receiving: every message once (by `seq`; our own also by `client_msg_id`), in order,
 * a gap in the numbers fetched with `resume`; sender and time on each, bot and agent
 * text through the safe Markdown renderer, quick replies under the last message.
 */
import { all, el } from '../core/dom.js';
import { safeUrl } from '../core/markdown.js';
import { timeOfDay } from '../core/time.js';
import { elText, renderMarkdown } from './support.js';

export function onMessage(message) {
  if (!message || typeof message !== 'object') return;
  const meta = message.metadata && typeof message.metadata === 'object' ? message.metadata : {};
  const seq = typeof meta.seq === 'number' ? meta.seq : null;
  if (seq !== null && this.bySeq[seq]) return; // already shown
  const sender = ['user', 'bot', 'agent', 'system'].includes(meta.sender) ? meta.sender : 'bot';
  const ts = typeof meta.ts === 'number' ? meta.ts : null;
  const text = typeof message.text === 'string' ? message.text : '';
  let node;
  if (sender === 'user') {
    const clientId = typeof meta.client_msg_id === 'string' ? meta.client_msg_id : null;
    const mine = clientId ? this.byClientId[clientId] : null;
    if (mine) {
      // our own optimistic bubble, now stored
      this.outbox.confirm(clientId);
      this.setPending(mine, false);
      mine.classList.remove('hc-msg--failed');
      if (seq !== null) this.assignSeq(mine, seq);
      return;
    }
    node = this.renderUser(text, typeof meta.title === 'string' ? meta.title : '', ts);
    if (clientId) {
      node.dataset.clientId = clientId;
      this.byClientId[clientId] = node;
    }
  } else {
    node = this.renderOther(sender, message, meta, ts);
    if (sender === 'bot' || sender === 'system') {
      // the assistant answered; keep the indicator only while more is in flight
      const waiting = this.outbox.inflight;
      if (!waiting) this.hideBotTyping();
    }
    if (sender === 'agent') {
      this.agentTyping = '';
      this.renderTyping();
      this.hadAgent = true;
      this.renderCopy();
    }
  }
  const before = this.lastSeq;
  if (seq !== null) {
    node.dataset.seq = String(seq);
    this.bySeq[seq] = node;
    if (seq > this.lastSeq) this.lastSeq = seq;
  }
  this.insert(node, seq);
  if (seq !== null && seq > before + 1) this.fillGap(before);
  this.clearQuickReplies();
  this.scrollToEnd();
  if (this.isOpen) this.markSeen();
  else this.updateBadge();
}

// A message skipped numbers we never saw (sent from another tab of this chat, or missed):
// fetch them. While a message of ours is in flight its number is still unknown, and its
// answer arrives before its acknowledgement, so that gap is expected.
export function fillGap(after) {
  if (!this.connected || this.resuming || this.outbox.inflight) return;
  const generation = this.generation;
  const lastSeq = this.lastSeq;
  this.lastSeq = after; // replay from the gap (what we have is kept by number)
  this.replay(generation, () => {
    if (this.lastSeq < lastSeq) this.lastSeq = lastSeq;
    this.flush(generation);
  });
}

// Messages with a sequence number go in order among the numbered ones; unsent
// messages of ours stay at the end.
export function insert(node, seq) {
  const children = this.log.children;
  if (seq !== null) {
    for (let i = 0; i < children.length; i++) {
      const other = children[i];
      if (other.dataset.seq && Number(other.dataset.seq) > seq) {
        this.log.insertBefore(node, other);
        return;
      }
    }
    if (this.resuming) {
      // a replay: it happened before whatever we haven't sent yet
      for (let j = 0; j < children.length; j++) {
        if (!children[j].dataset.seq && children[j].classList.contains('hc-msg--pending')) {
          this.log.insertBefore(node, children[j]);
          return;
        }
      }
    }
  }
  this.log.appendChild(node);
}

export function assignSeq(node, seq) {
  const existing = this.bySeq[seq];
  if (existing && existing !== node) existing.parentNode && existing.parentNode.removeChild(existing);
  node.dataset.seq = String(seq);
  this.bySeq[seq] = node;
  if (seq > this.lastSeq) this.lastSeq = seq;
  if (this.isOpen) this.markSeen();
}

// `name`: the sender's own name (an agent), else the catalogue's `key` for the sender.
export function messageShell(sender, name, ts, key) {
  const node = el('div', { className: 'hc-msg hc-msg--' + sender });
  node.dataset.sender = sender;
  const meta = el('div', { className: 'hc-msg__meta' });
  const who = elText('span', 'hc-msg__sender', name || this.t(key));
  if (!name) who.dataset.key = key;
  meta.appendChild(who);
  const date = ts ? new Date(ts * 1000) : new Date();
  const time = elText('time', 'hc-msg__time', timeOfDay(date, this.lang));
  time.setAttribute('datetime', date.toISOString());
  meta.appendChild(time);
  node.appendChild(meta);
  const bubble = el('div', { className: 'hc-msg__bubble' });
  node.appendChild(bubble);
  return node;
}

export function renderUser(text, title, ts) {
  const node = this.messageShell('user', '', ts, 'widget.sender.you');
  const shown = title || text;
  node.querySelector('.hc-msg__bubble').appendChild(elText('p', 'hc-plain', shown));
  const state = el('p', { className: 'hc-msg__state' });
  state.hidden = true;
  node.appendChild(state);
  return node;
}

export function renderOther(sender, message, meta, ts) {
  const own = sender === 'agent' ? (typeof meta.agent === 'string' && meta.agent ? meta.agent
    : this.agentName) : '';
  const key = sender === 'bot' ? 'widget.sender.bot' : sender === 'system' ? 'widget.sender.system'
    : 'widget.sender.agent';
  const node = this.messageShell(sender, own, ts, key);
  const name = own || this.t(key);
  const bubble = node.querySelector('.hc-msg__bubble');
  const text = typeof message.text === 'string' ? message.text : '';
  if (text) bubble.appendChild(renderMarkdown(text));
  const attachment = message.attachment;
  if (attachment && attachment.type === 'image' && attachment.payload) {
    const src = safeUrl(String(attachment.payload.src || ''));
    if (src) {
      const img = el('img', { className: 'hc-msg__image' });
      img.alt = typeof attachment.payload.alt === 'string' ? attachment.payload.alt
        : this.t('widget.image', { name: name });
      img.loading = 'lazy';
      img.referrerPolicy = 'no-referrer';
      img.src = src;
      bubble.appendChild(img);
    }
  }
  if (!bubble.firstChild) node.classList.add('hc-msg--empty');
  let replies = Array.isArray(message.quick_replies) ? message.quick_replies
    : Array.isArray(message.buttons) ? message.buttons : [];
  replies = replies.filter((r) => {
    return r && typeof r.title === 'string' && r.title && typeof r.payload === 'string';
  }).slice(0, 10);
  if (replies.length && sender !== 'user') node._quickReplies = replies;
  return node;
}

// Quick replies belong under the last message only, and only if it's from the bot side.
export function clearQuickReplies() {
  all(this.log, '.hc-quick').forEach((group) => {
    group.parentNode.removeChild(group);
  });
  const last = this.log.lastElementChild;
  if (!last || !last._quickReplies || last.dataset.sender === 'user' || last._quickUsed) return;
  if (this.csatPending) return; // the rating form asks instead of the 1..5 buttons
  const group = el('div', { className: 'hc-quick' });
  group.setAttribute('role', 'group');
  group.setAttribute('aria-label', this.t('widget.suggested'));
  last._quickReplies.forEach((reply) => {
    const button = this.textButton(null, 'hc-chip', () => {
      last._quickUsed = true;
      this.send(reply.payload, reply.title);
      this.input.focus();
    }, reply.title);
    group.appendChild(button);
  });
  last.appendChild(group);
}

