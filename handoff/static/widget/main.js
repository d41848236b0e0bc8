/*
 * Starting the chat widget on a help-center page. /widget.js (the one classic <script>
 * tag a page embeds) imports this module and calls start() with its own script element,
 * whose data- attributes configure the widget (docs/protocol.md, Embedding the widget):
 *
 *   data-gateway (default: the script's origin), data-token-callback (the name of a
 *   global function returning the page's signed identity token, null, or a Promise of
 *   either), data-country, data-language, data-title.
 *
 * The page's API: window.HelpCenterChat = {open(), close(), newConversation(), identify(),
 * setLanguage(lang)}; and window.HelpCenterMarkdown = {render, safeUrl}, the renderer
 * the widget uses. The widget loads its stylesheet and, when the page has no `io` yet,
 * the vendored socket.io client from the gateway.
 */
import { domReady, loadCss } from '../core/dom.js';
import { render, safeUrl } from '../core/markdown.js';
import { socketClient } from '../core/socket.js';
import { CONFIG } from './support.js';
import { Widget } from './widget.js';

let started = false;

export async function start(script, base) {
  if (started) return; // embedded twice
  started = true;
  const data = script?.dataset ?? {};
  Object.assign(CONFIG, {
    base,
    storageKey: `hc-chat:v1:${base}`,
    uid: Math.random().toString(36).slice(2, 8),
    title: data.title || '', // the page's own title; else the catalogue's, in the language
    country: data.country || '',
    // the page's language, sent as customData.language: data-language, else <html lang>
    language: data.language || (document.documentElement.lang || '').slice(0, 2).toLowerCase(),
    tokenCallback: data.tokenCallback || '',
  });
  let widget = null;
  const queued = [];
  const call = (method) => () => {
    if (widget) return widget[method]();
    queued.push(method);
    return undefined;
  };
  window.HelpCenterMarkdown ??= { render, safeUrl };
  window.HelpCenterChat = {
    version: '1',
    open: call('open'),
    close: call('close'),
    newConversation: call('newConversation'),
    // the page's language ('en', 'ru'): the widget's texts and the chat's language follow
    setLanguage: (lang) => {
      if (widget) return widget.setLanguage(lang);
      if (typeof lang === 'string' && lang) CONFIG.language = lang; // read at the start
      return undefined;
    },
    identify: () => (widget ? widget.identify() : Promise.resolve(false)), // read at connect time anyway
  };
  await Promise.all([domReady(), loadCss(`${base}/static/widget.css`), socketClient(base)]);
  widget = new Widget();
  widget.root.hidden = false;
  widget.renderOutbox(); // what is still to be sent from the last page
  widget.updateBadge();
  widget.connect();
  for (const method of queued) widget[method]();
}
