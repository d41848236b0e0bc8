/*
 * Help-center chat widget: the embed contract. A page embeds it with one classic script
 * tag (docs/protocol.md, Embedding the widget):
 *
 *   <script src="https://GATEWAY/widget.js" data-gateway="https://GATEWAY"
 *           data-token-callback="fnName" data-country="US" data-language="en"
 *           data-title="Support" defer></script>
 *
 * This loader imports the widget's ES modules from GATEWAY/static/widget/ (served with
 * Access-Control-Allow-Origin: *, as module scripts of another origin need) and hands
 * them this tag, whose data- attributes configure the widget (widget/main.js).
 */
(() => {
  'use strict';

  if (window.HelpCenterChat?.version) return; // embedded twice
  const script = document.currentScript ??
    document.querySelector('script[src*="widget.js"][data-gateway], script[src$="/widget.js"]');
  const origin = script?.src ? new URL(script.src, location.href).origin : location.origin;
  const base = String(script?.dataset.gateway || origin).replace(/\/+$/, '');
  import(`${base}/static/widget/main.js`)
    .then((widget) => widget.start(script, base))
    .catch((err) => console.error('help-center chat widget could not load:', err));
})();
