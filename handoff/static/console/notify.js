/*
 * Alerts for an agent looking elsewhere: a beep and a desktop notification for a new
 * waiting chat, a chat assigned to them and a customer's message. They can be turned
 * off ("Notifications", kept in localStorage).
 */
import { byId } from '../core/dom.js';
import { local } from '../core/storage.js';
import { STORE, state } from './state.js';

export const notificationsOn = () => local(STORE.notify) !== 'off';

export function onNotifyChange() {
  const on = byId('notify').checked;
  local(STORE.notify, on ? 'on' : 'off');
  if (!on) return;
  unlockAudio();
  if ('Notification' in window && window.Notification.permission === 'default') {
    try {
      window.Notification.requestPermission();
    } catch {
      /* an old API */
    }
  }
}

/** Create/resume the AudioContext from a user gesture (browsers' autoplay rule). */
export function unlockAudio() {
  if (!notificationsOn()) return;
  const Context = window.AudioContext ?? window.webkitAudioContext;
  if (!Context) return;
  try {
    state.audio ??= new Context();
    if (state.audio.state === 'suspended') state.audio.resume().catch(() => {});
  } catch {
    state.audio = null;
  }
}

function beep() {
  const ctx = state.audio;
  if (!ctx || ctx.state !== 'running') return;
  try {
    const at = ctx.currentTime;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = 'sine';
    osc.frequency.setValueAtTime(880, at);
    osc.frequency.setValueAtTime(660, at + 0.12);
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.15, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
    osc.connect(gain);
    gain.connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.32);
  } catch {
    /* no sound, no harm */
  }
}

export function alertAgent(title, body, quiet = false) {
  if (!notificationsOn()) return;
  if (!quiet) beep();
  if (!('Notification' in window) || window.Notification.permission !== 'granted') return;
  if (!document.hidden && document.hasFocus()) return;
  try {
    const note = new window.Notification(title, { body, tag: `hc-agent-${title}` });
    note.onclick = () => {
      window.focus();
      note.close();
    };
  } catch {
    /* e.g. Android Chrome needs a service worker */
  }
}
