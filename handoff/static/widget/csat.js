/*
 * The rating form (1-5 and a comment) shown when an agent closed the chat
 * (handoff_status.csat_pending), sent as `csat`.
 */
import { el } from '../core/dom.js';
import { CONFIG } from './support.js';

export function buildCsat() {
  const box = el('form', { className: 'hc-csat' });
  this.ratingLabels = [];
  box.hidden = true;
  box.setAttribute('novalidate', '');
  const fieldset = el('fieldset', { className: 'hc-csat__scale' });
  fieldset.setAttribute('role', 'radiogroup');
  const legend = this.label(el('legend', { className: 'hc-csat__legend' }), 'text', 'widget.rate.legend');
  legend.id = 'hc-csat-legend-' + CONFIG.uid;
  fieldset.setAttribute('aria-labelledby', legend.id);
  fieldset.appendChild(legend);
  const options = el('div', { className: 'hc-csat__options' });
  for (let i = 1; i <= 5; i++) {
    const option = el('label', { className: 'hc-csat__option' });
    const radio = el('input', { className: 'hc-csat__radio' });
    radio.type = 'radio';
    radio.name = 'hc-rating-' + CONFIG.uid;
    radio.value = String(i);
    option.appendChild(radio);
    const optionLabel = el('span', { className: 'hc-csat__label' });
    optionLabel.dataset.rating = String(i);
    this.ratingLabels.push(optionLabel);
    option.appendChild(optionLabel);
    options.appendChild(option);
  }
  fieldset.appendChild(options);
  box.appendChild(fieldset);
  const commentLabel = this.label(el('label', { className: 'hc-csat__comment-label' }), 'text',
    'widget.rate.comment');
  const comment = el('textarea', { className: 'hc-csat__comment' });
  comment.id = 'hc-csat-comment-' + CONFIG.uid;
  comment.rows = 2;
  comment.maxLength = 1000;
  commentLabel.htmlFor = comment.id;
  box.appendChild(commentLabel);
  box.appendChild(comment);
  this.csatError = el('p', { className: 'hc-csat__error' });
  this.csatError.setAttribute('role', 'alert');
  box.appendChild(this.csatError);
  const submit = this.label(el('button', { className: 'hc-btn hc-btn--primary' }), 'text', 'widget.rate.submit');
  submit.type = 'submit';
  box.appendChild(submit);
  this.csatThanks = el('p', { className: 'hc-csat__thanks' });
  this.csatThanks.setAttribute('role', 'status');
  box.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = box.querySelector('input[type="radio"]:checked');
    if (!chosen) {
      this.csatError.textContent = this.t('widget.rate.choose');
      box.querySelector('input[type="radio"]').focus();
      return;
    }
    this.csatError.textContent = '';
    this.sendRating(parseInt(chosen.value, 10), comment.value.trim(), submit);
  });
  const wrap = el('div', { className: 'hc-csat-wrap' });
  wrap.appendChild(box);
  wrap.appendChild(this.csatThanks);
  this.csatForm = box;
  return wrap;
}


export function setCsat(pending) {
  const wasPending = this.csatPending;
  this.csatPending = pending;
  this.csatForm.hidden = !pending;
  if (pending !== wasPending) this.clearQuickReplies();
  if (pending && !wasPending) {
    this.csatThanks.textContent = '';
    this.csatForm.reset();
    this.csatError.textContent = '';
    this.scrollToEnd();
  }
}

export function sendRating(rating, comment, submit) {
  if (!this.connected) {
    this.csatError.textContent = this.t('widget.notConnected');
    return;
  }
  submit.disabled = true;
  const body = { session_id: this.sessionId, rating: rating };
  if (comment) body.comment = comment.slice(0, 1000);
  this.socket.emit('csat', body, (ack) => {
    submit.disabled = false;
    if (ack && ack.ok === false) {
      this.csatError.textContent = this.t('widget.rate.failed');
      return;
    }
    this.csatPending = false;
    this.csatForm.hidden = true;
    this.csatThanks.textContent = this.t('widget.rate.thanks');
    this.input.focus();
  });
}

