/*
 * The customer's copy: once a chat with an agent is finished (closed, rated or handed
 * back to the assistant), "Download transcript" asks the gateway for the chat as text
 * (`transcript`: who wrote what and when, never an internal note) and saves it from a
 * Blob under the name the gateway gives.
 */
import { el } from '../core/dom.js';
import { saveBlob } from '../core/download.js';
import { CONFIG } from './support.js';

export function buildCopy() {
  const box = this.copyBox = el('div', { className: 'hc-copy' });
  box.hidden = true;
  const help = this.label(el('p', { className: 'hc-copy__help', id: 'hc-copy-help-' + CONFIG.uid }),
    'text', 'widget.copy.help');
  this.copyButton = this.textButton('widget.copy.download', 'hc-btn hc-btn--small', () => {
    this.downloadTranscript();
  });
  this.copyButton.setAttribute('aria-describedby', help.id);
  this.copyStatus = el('p', { className: 'hc-copy__status', role: 'status' });
  box.appendChild(this.copyButton);
  box.appendChild(help);
  box.appendChild(this.copyStatus);
  return box;
}

/** Offered while the bot has the chat again after an agent had it. */
export function renderCopy() {
  if (!this.copyBox) return;
  const show = Boolean(this.hadAgent) && this.state === 'bot' && Boolean(this.sessionId);
  if (!show) this.copyStatus.textContent = '';
  this.copyBox.hidden = !show;
}

export function downloadTranscript() {
  if (!this.connected || !this.socket) {
    this.copyStatus.textContent = this.t('widget.notConnected');
    return;
  }
  const body = { session_id: this.sessionId, format: 'text' };
  if (this.token) body.customData = { token: this.token };
  this.copyButton.disabled = true;
  this.copyStatus.textContent = '';
  this.socket.timeout(15000).emit('transcript', body, (err, ack) => {
    this.copyButton.disabled = false;
    if (err || !ack || ack.ok !== true || typeof ack.text !== 'string') {
      this.copyStatus.textContent = this.t('widget.copy.failed');
      return;
    }
    const type = typeof ack.content_type === 'string' ? ack.content_type : 'text/plain; charset=utf-8';
    saveBlob(new Blob([ack.text], { type }), String(ack.filename || 'transcript.txt'));
    this.copyStatus.textContent = this.t('widget.copy.saved');
  });
}
