/*
 * The widget's DOM: the launcher, and the panel (header with "New conversation" and
 * "Close chat", the inline "start over?" confirmation, the connection and handoff status
 * lines, the conversation log, notices, "Talk to a person" and the composer). Its texts
 * come from the catalogue and are set again when the language changes (label()).
 */
import { el, icon } from '../core/dom.js';
import { CONFIG, ICONS, MAX_CHARS, elText } from './support.js';

export function build() {
  const root = this.root = el('div', { className: 'hc-root' });
  root.hidden = true; // shown once the stylesheet is in

  // Launcher
  const launcher = this.launcher = el('button', { className: 'hc-launcher' });
  launcher.type = 'button';
  launcher.setAttribute('aria-expanded', 'false'); // its name: updateBadge
  launcher.appendChild(icon(ICONS.chat));
  this.badge = el('span', { className: 'hc-badge' });
  this.badge.setAttribute('aria-hidden', 'true');
  this.badge.hidden = true;
  launcher.appendChild(this.badge);
  launcher.addEventListener('click', () => { this.open(); });

  // Panel
  const panel = this.panel = el('section', { className: 'hc-panel' });
  panel.setAttribute('role', 'region');
  this.label(panel, 'aria-label', 'widget.region');
  panel.id = 'hc-panel-' + CONFIG.uid;
  panel.hidden = true;
  launcher.setAttribute('aria-controls', panel.id);

  const header = el('header', { className: 'hc-header' });
  const titles = el('div', { className: 'hc-titles' });
  const h2 = elText('h2', 'hc-title', CONFIG.title);
  if (!CONFIG.title) this.label(h2, 'text', 'widget.title');
  this.subtitle = el('p', { className: 'hc-subtitle' });
  this.subtitleKey = 'widget.subtitle.start';
  titles.appendChild(h2);
  titles.appendChild(this.subtitle);
  header.appendChild(titles);
  this.newButton = this.iconButton('widget.new', ICONS.refresh, () => {
    this.askNewConversation();
  });
  this.closeButton = this.iconButton('widget.close', ICONS.minimize, () => {
    this.close();
  });
  header.appendChild(this.newButton);
  header.appendChild(this.closeButton);
  panel.appendChild(header);

  // Inline "start over?" confirmation
  const confirmBox = this.confirmBox = el('div', { className: 'hc-confirm' });
  confirmBox.hidden = true;
  confirmBox.setAttribute('role', 'group');
  confirmBox.setAttribute('aria-labelledby', 'hc-confirm-text-' + CONFIG.uid);
  const confirmText = this.label(el('p', { className: 'hc-confirm__text' }), 'text', 'widget.confirm.text');
  confirmText.id = 'hc-confirm-text-' + CONFIG.uid;
  const confirmYes = this.textButton('widget.confirm.yes', 'hc-btn hc-btn--primary', () => {
    confirmBox.hidden = true;
    this.newConversation();
    this.input.focus();
  });
  const confirmNo = this.textButton('widget.confirm.no', 'hc-btn', () => {
    confirmBox.hidden = true;
    this.newButton.focus();
  });
  this.confirmYes = confirmYes;
  confirmBox.appendChild(confirmText);
  const confirmActions = el('div', { className: 'hc-confirm__actions' });
  confirmActions.appendChild(confirmYes);
  confirmActions.appendChild(confirmNo);
  confirmBox.appendChild(confirmActions);
  panel.appendChild(confirmBox);

  // Connection status (role=status; empty while connected)
  this.connStatus = el('div', { className: 'hc-conn' });
  this.connStatus.setAttribute('role', 'status');
  panel.appendChild(this.connStatus);

  // Handoff status bar
  const bar = this.handoffBar = el('div', { className: 'hc-handoff' });
  bar.hidden = true;
  this.handoffText = el('p', { className: 'hc-handoff__text' });
  this.handoffText.setAttribute('role', 'status');
  this.leaveButton = this.textButton('widget.leave', 'hc-btn hc-btn--small', () => {
    this.leaveQueue();
  });
  this.leaveButton.hidden = true;
  bar.appendChild(this.handoffText);
  bar.appendChild(this.leaveButton);
  panel.appendChild(bar);

  // Conversation log
  const body = this.body = el('div', { className: 'hc-body' });
  const intro = el('div', { className: 'hc-intro' });
  intro.appendChild(this.label(el('p', { className: 'hc-intro__title' }), 'text', 'widget.intro.title'));
  intro.appendChild(this.label(el('p', { className: 'hc-intro__text' }), 'text', 'widget.intro.text'));
  body.appendChild(intro);
  const log = this.log = el('div', { className: 'hc-log' });
  log.setAttribute('role', 'log');
  this.label(log, 'aria-label', 'widget.log');
  log.setAttribute('aria-live', 'polite');
  log.setAttribute('aria-relevant', 'additions');
  log.tabIndex = 0;
  body.appendChild(log);
  this.typingLine = el('p', { className: 'hc-typing' });
  this.typingLine.setAttribute('aria-live', 'polite');
  this.typingLine.hidden = true;
  body.appendChild(this.typingLine);
  this.csatBox = this.buildCsat();
  body.appendChild(this.csatBox);
  body.appendChild(this.buildCopy());
  panel.appendChild(body);

  // Notices (errors, rate limits)
  this.notice = el('div', { className: 'hc-notice' });
  this.notice.setAttribute('role', 'alert');
  this.notice.hidden = true;
  panel.appendChild(this.notice);

  // Actions + composer
  const tools = el('div', { className: 'hc-tools' });
  this.humanButton = this.textButton('widget.human', 'hc-btn hc-btn--small', () => {
    // the title in the chat's language: the gateway accepts either (handoff/texts.py)
    this.send('/request_human', this.t('widget.human'));
    this.input.focus();
  });
  tools.appendChild(this.humanButton);
  panel.appendChild(tools);

  const form = this.form = el('form', { className: 'hc-composer' });
  form.setAttribute('novalidate', '');
  const label = this.label(el('label', { className: 'hc-visually-hidden' }), 'text', 'widget.message');
  const input = this.input = el('textarea', { className: 'hc-input' });
  input.id = 'hc-input-' + CONFIG.uid;
  label.htmlFor = input.id;
  input.rows = 1;
  input.maxLength = MAX_CHARS;
  this.label(input, 'placeholder', 'widget.placeholder');
  input.setAttribute('autocomplete', 'off');
  const sendButton = this.sendButton = el('button', { className: 'hc-send' });
  sendButton.type = 'submit';
  sendButton.appendChild(icon(ICONS.send));
  sendButton.appendChild(this.label(el('span', { className: 'hc-send__label' }), 'text', 'widget.send'));
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(sendButton);
  panel.appendChild(form);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    this.submitInput();
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submitInput();
    }
  });
  input.addEventListener('input', () => {
    this.autosize();
    this.userTyping();
  });
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' || event.key === 'Esc') {
      if (!this.confirmBox.hidden) {
        this.confirmBox.hidden = true;
        this.newButton.focus();
      } else {
        this.close();
      }
      event.stopPropagation();
    } else if (event.key === 'Tab' && window.matchMedia &&
               window.matchMedia('(max-width: 480px)').matches) {
      // Full screen on a phone: the page behind is covered, so Tab stays in the chat.
      const focusable = Array.prototype.filter.call(
        panel.querySelectorAll('button, textarea, input, select, a[href], [tabindex="0"]'),
        (node) => { return !node.disabled && node.offsetParent !== null; });
      if (!focusable.length) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        last.focus();
        event.preventDefault();
      } else if (!event.shiftKey && document.activeElement === last) {
        first.focus();
        event.preventDefault();
      }
    }
  });

  root.appendChild(panel);
  root.appendChild(launcher);
  document.body.appendChild(root);

  document.addEventListener('visibilitychange', () => { this.markSeen(); });
}

// A text from the catalogue on `node` (attr: 'text', 'placeholder' or an attribute),
// remembered so that a change of language sets it again.
export function label(node, attr, key) {
  this.labels.push([node, attr, key]);
  this.setLabel(node, attr, key);
  return node;
}

export function setLabel(node, attr, key) {
  const text = this.t(key);
  if (attr === 'text') node.textContent = text;
  else if (attr === 'placeholder') node.placeholder = text;
  else node.setAttribute(attr, text);
}

export function iconButton(key, paths, onClick) {
  const button = el('button', { className: 'hc-iconbtn' });
  button.type = 'button';
  this.label(button, 'aria-label', key);
  this.label(button, 'title', key);
  button.appendChild(icon(paths));
  button.addEventListener('click', onClick);
  return button;
}

// A button labelled from the catalogue (`key`), or with a text of its own (`text`).
export function textButton(key, className, onClick, text) {
  const button = el('button', { className, text });
  button.type = 'button';
  if (!text) this.label(button, 'text', key);
  button.addEventListener('click', onClick);
  return button;
}


export function autosize() {
  const input = this.input;
  input.style.height = 'auto';
  input.style.height = Math.min(input.scrollHeight, 140) + 'px';
}

