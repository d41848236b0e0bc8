/*
 * Help-center chat widget. Embed with one script tag:
 *
 *   <script src="https://GATEWAY/widget.js" data-gateway="https://GATEWAY"
 *           data-token-callback="fnName" data-country="US" data-language="en"
 *           data-title="Support" defer></script>
 *
 * data-gateway defaults to the script's own origin. data-token-callback names a global
 * function returning the help center's signed identity token (a JWT string), null, or a
 * Promise of either. The widget loads GATEWAY/static/widget.css, GATEWAY/static/markdown.js,
 * GATEWAY/static/i18n.js (its texts in English and Russian) and, when the page has no `io`
 * yet, GATEWAY/static/vendor/socket.io.min.js.
 *
 * Public API: window.HelpCenterChat = {open(), close(), newConversation(), identify(),
 * setLanguage(lang)}.
 *
 * Language of the widget's own texts: the page's (data-language, or setLanguage) until the
 * gateway reports the chat's language (handoff_status.language), which follows what the
 * user writes (bot/language.py); after that whichever of the two changed last. Before any
 * of them, the page's <html lang>, then the browser's language, else English.
 *
 * Protocol: docs/protocol.md (widget namespace "/"). Safety: no text from the network or
 * the user ever becomes HTML; the DOM is built with createElement/textContent, bot text
 * through HelpCenterMarkdown (a safe subset).
 */
(function () {
  'use strict';

  if (window.HelpCenterChat && window.HelpCenterChat.version) return; // embedded twice

  var script = document.currentScript ||
    document.querySelector('script[src*="widget.js"][data-gateway], script[src$="/widget.js"]');
  var data = (script && script.dataset) || {};
  var BASE = trimSlash(data.gateway || (script && script.src ? new URL(script.src, location.href).origin
    : location.origin));
  var CONFIG = {
    title: data.title || '', // the page's own title; else the catalogue's, in the language
    country: data.country || '',
    // the page's language, sent as customData.language: data-language, else <html lang>
    language: data.language || (document.documentElement.lang || '').slice(0, 2).toLowerCase(),
    tokenCallback: data.tokenCallback || ''
  };
  var STORAGE_KEY = 'hc-chat:v1:' + BASE;
  var TYPING_EMIT_MS = 2000;
  var AGENT_TYPING_MS = 4000;
  var BOT_WAIT_MS = 30000;
  var ACK_TIMEOUT_MS = 15000; // no acknowledgement by then: send again (same id)
  var RESUME_WAIT_MS = 5000;
  var TOKEN_MARGIN_S = 60; // ask the page for a fresh identity token this close to expiry
  // Refusals after which the same message may simply be sent again.
  var RETRYABLE = ['rate_limited', 'unavailable', 'busy', 'internal', 'timeout'];

  // 1 s, 2 s, 4 s ... at most 30 s, with jitter so a crowd does not retry in step.
  function backoff(attempt) {
    var base = Math.min(30000, 1000 * Math.pow(2, Math.max(0, attempt)));
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }
  var MAX_CHARS = 4000;
  var NS = 'http://www.w3.org/2000/svg';
  var uid = Math.random().toString(36).slice(2, 8);

  function trimSlash(s) { return String(s).replace(/\/+$/, ''); }

  // ---------------------------------------------------------------------------------
  // Loading the widget's own assets from the gateway
  // ---------------------------------------------------------------------------------
  function loadCss(href) {
    return new Promise(function (resolve) {
      var link = document.createElement('link');
      link.rel = 'stylesheet';
      link.href = href;
      link.onload = function () { resolve(true); };
      link.onerror = function () { resolve(false); };
      (document.head || document.documentElement).appendChild(link);
      setTimeout(function () { resolve(false); }, 5000);
    });
  }

  function loadScript(src) {
    return new Promise(function (resolve) {
      var el = document.createElement('script');
      el.src = src;
      el.async = true;
      el.onload = function () { resolve(true); };
      el.onerror = function () { resolve(false); };
      (document.head || document.documentElement).appendChild(el);
    });
  }

  function domReady() {
    return new Promise(function (resolve) {
      if (document.readyState !== 'loading') resolve();
      else document.addEventListener('DOMContentLoaded', function () { resolve(); });
    });
  }

  // ---------------------------------------------------------------------------------
  // Small helpers
  // ---------------------------------------------------------------------------------
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function icon(paths) {
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '20');
    svg.setAttribute('height', '20');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'hc-icon');
    paths.forEach(function (d) {
      var path = document.createElementNS(NS, 'path');
      path.setAttribute('d', d);
      svg.appendChild(path);
    });
    return svg;
  }

  var ICONS = {
    chat: ['M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z'],
    close: ['M6 6l12 12', 'M18 6L6 18'],
    minimize: ['M6 9l6 6 6-6'],
    refresh: ['M20 11a8 8 0 1 0-2.3 5.7', 'M20 4v7h-7'],
    send: ['M3 20l18-8L3 4l2 8-2 8z', 'M5 12h8']
  };

  function randomId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return 'w' + Array.prototype.map.call(bytes, function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  function formatTime(date, lang) {
    try {
      return date.toLocaleTimeString(lang ? [lang] : [], { hour: '2-digit', minute: '2-digit' });
    } catch (e) {
      return date.toTimeString().slice(0, 5);
    }
  }

  // The identity a token stands for ("sub" of the JWT), only to notice a change of user;
  // the gateway verifies the token, the widget never trusts it.
  function identityOf(token) {
    if (!token) return '';
    try {
      var part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      while (part.length % 4) part += '=';
      var claims = JSON.parse(atob(part));
      if (claims && typeof claims.sub === 'string') return 'sub:' + claims.sub;
    } catch (e) { /* not a JWT: compare the whole string */ }
    return 'token:' + token;
  }

  // Seconds until the token expires (Infinity when it says nothing we can read).
  function expiresIn(token) {
    if (!token) return Infinity;
    try {
      var part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      while (part.length % 4) part += '=';
      var claims = JSON.parse(atob(part));
      if (claims && typeof claims.exp === 'number') return claims.exp - Date.now() / 1000;
    } catch (e) { /* not a JWT */ }
    return Infinity;
  }

  function readStore() {
    try {
      var raw = window.localStorage.getItem(STORAGE_KEY);
      var parsed = raw ? JSON.parse(raw) : {};
      return parsed && typeof parsed === 'object' ? parsed : {};
    } catch (e) {
      return {};
    }
  }

  // The catalogue (i18n.js); if it could not be loaded, texts show as their keys.
  function translator(lang) {
    var i18n = window.HelpCenterI18n;
    if (i18n && typeof i18n.translator === 'function') return i18n.translator(lang);
    var fn = function (key) { return key; };
    fn.lang = 'en';
    fn.has = function () { return false; };
    return fn;
  }

  function supportedLanguage(code) {
    var i18n = window.HelpCenterI18n;
    return i18n && typeof i18n.supported === 'function' ? i18n.supported(code) : null;
  }

  // Whether a message has words at all (a button's payload such as "/affirm", a number or
  // an emoji never changes the chat's language).
  function hasWords(text) {
    text = String(text || '').trim();
    return text.charAt(0) !== '/' && /[A-Za-z\u00C0-\u024F\u0400-\u04FF]{2}/.test(text);
  }

  function renderMarkdown(text) {
    if (window.HelpCenterMarkdown && typeof window.HelpCenterMarkdown.render === 'function') {
      return window.HelpCenterMarkdown.render(text);
    }
    var p = el('p', 'hc-plain', text);
    var frag = document.createDocumentFragment();
    frag.appendChild(p);
    return frag;
  }

  // ---------------------------------------------------------------------------------
  // The widget
  // ---------------------------------------------------------------------------------
  function Widget() {
    var stored = readStore();
    this.sessionId = typeof stored.sid === 'string' ? stored.sid : null;
    this.who = typeof stored.who === 'string' ? stored.who : null; // identity of the chat
    this.isOpen = false; // a new page starts with the panel closed (unread count on the launcher)
    this.lastSeen = typeof stored.seen === 'number' ? stored.seen : 0;
    this.outbox = Array.isArray(stored.outbox) ? stored.outbox.filter(function (m) {
      return m && typeof m.id === 'string' && typeof m.text === 'string';
    }) : [];
    this.token = null;
    this.socket = null;
    this.connected = false;     // socket connected and session confirmed
    this.everConnected = false;
    this.failures = 0;
    this.generation = 0;        // bumps on every connection; stale acks are ignored
    this.state = 'bot';
    this.agentName = '';
    this.bySeq = {};            // seq -> message element
    this.byClientId = {};       // client_msg_id -> message element
    this.lastSeq = 0;
    this.csatPending = false;
    this.csatDone = false;
    this.lastTypingEmit = 0;
    this.timers = {};
    this.labels = [];           // [node, attribute, key]: the static texts, for a language change
    // the page's language, and the chat's as the gateway last reported it (see the header)
    this.pageLanguage = supportedLanguage(CONFIG.language);
    this.chatLanguage = supportedLanguage(stored.chatLang);
    this.sentLanguage = typeof stored.pageLang === 'string' ? stored.pageLang : '';
    var pageChanged = this.pageLanguage && CONFIG.language !== this.sentLanguage;
    this.lang = supportedLanguage(pageChanged ? this.pageLanguage : stored.lang) ||
      this.pageLanguage || supportedLanguage(navigator.language) || 'en';
    this.t = translator(this.lang);
    this.build();
    this.applyLanguage();
  }

  Widget.prototype.save = function () {
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify({
        sid: this.sessionId, who: this.who, seen: this.lastSeen,
        lang: this.lang, chatLang: this.chatLanguage || undefined,
        pageLang: this.sentLanguage || undefined,
        outbox: this.outbox.map(function (m) {
          return { id: m.id, text: m.text, title: m.title || undefined, ts: m.ts };
        })
      }));
    } catch (e) { /* private mode or full storage: the chat still works for this page */ }
  };

  // -- DOM ------------------------------------------------------------------------------
  Widget.prototype.build = function () {
    var self = this;
    var root = this.root = el('div', 'hc-root');
    root.hidden = true; // shown once the stylesheet is in

    // Launcher
    var launcher = this.launcher = el('button', 'hc-launcher');
    launcher.type = 'button';
    launcher.setAttribute('aria-expanded', 'false'); // its name: updateBadge
    launcher.appendChild(icon(ICONS.chat));
    this.badge = el('span', 'hc-badge');
    this.badge.setAttribute('aria-hidden', 'true');
    this.badge.hidden = true;
    launcher.appendChild(this.badge);
    launcher.addEventListener('click', function () { self.open(); });

    // Panel
    var panel = this.panel = el('section', 'hc-panel');
    panel.setAttribute('role', 'region');
    this.label(panel, 'aria-label', 'widget.region');
    panel.id = 'hc-panel-' + uid;
    panel.hidden = true;
    launcher.setAttribute('aria-controls', panel.id);

    var header = el('header', 'hc-header');
    var titles = el('div', 'hc-titles');
    var h2 = el('h2', 'hc-title', CONFIG.title);
    if (!CONFIG.title) this.label(h2, 'text', 'widget.title');
    this.subtitle = el('p', 'hc-subtitle');
    this.subtitleKey = 'widget.subtitle.start';
    titles.appendChild(h2);
    titles.appendChild(this.subtitle);
    header.appendChild(titles);
    this.newButton = this.iconButton('widget.new', ICONS.refresh, function () {
      self.askNewConversation();
    });
    this.closeButton = this.iconButton('widget.close', ICONS.minimize, function () {
      self.close();
    });
    header.appendChild(this.newButton);
    header.appendChild(this.closeButton);
    panel.appendChild(header);

    // Inline "start over?" confirmation
    var confirmBox = this.confirmBox = el('div', 'hc-confirm');
    confirmBox.hidden = true;
    confirmBox.setAttribute('role', 'group');
    confirmBox.setAttribute('aria-labelledby', 'hc-confirm-text-' + uid);
    var confirmText = this.label(el('p', 'hc-confirm__text'), 'text', 'widget.confirm.text');
    confirmText.id = 'hc-confirm-text-' + uid;
    var confirmYes = this.textButton('widget.confirm.yes', 'hc-btn hc-btn--primary', function () {
      confirmBox.hidden = true;
      self.newConversation();
      self.input.focus();
    });
    var confirmNo = this.textButton('widget.confirm.no', 'hc-btn', function () {
      confirmBox.hidden = true;
      self.newButton.focus();
    });
    this.confirmYes = confirmYes;
    confirmBox.appendChild(confirmText);
    var confirmActions = el('div', 'hc-confirm__actions');
    confirmActions.appendChild(confirmYes);
    confirmActions.appendChild(confirmNo);
    confirmBox.appendChild(confirmActions);
    panel.appendChild(confirmBox);

    // Connection status (role=status; empty while connected)
    this.connStatus = el('div', 'hc-conn');
    this.connStatus.setAttribute('role', 'status');
    panel.appendChild(this.connStatus);

    // Handoff status bar
    var bar = this.handoffBar = el('div', 'hc-handoff');
    bar.hidden = true;
    this.handoffText = el('p', 'hc-handoff__text');
    this.handoffText.setAttribute('role', 'status');
    this.leaveButton = this.textButton('widget.leave', 'hc-btn hc-btn--small', function () {
      self.leaveQueue();
    });
    this.leaveButton.hidden = true;
    bar.appendChild(this.handoffText);
    bar.appendChild(this.leaveButton);
    panel.appendChild(bar);

    // Conversation log
    var body = this.body = el('div', 'hc-body');
    var intro = el('div', 'hc-intro');
    intro.appendChild(this.label(el('p', 'hc-intro__title'), 'text', 'widget.intro.title'));
    intro.appendChild(this.label(el('p', 'hc-intro__text'), 'text', 'widget.intro.text'));
    body.appendChild(intro);
    var log = this.log = el('div', 'hc-log');
    log.setAttribute('role', 'log');
    this.label(log, 'aria-label', 'widget.log');
    log.setAttribute('aria-live', 'polite');
    log.setAttribute('aria-relevant', 'additions');
    log.tabIndex = 0;
    body.appendChild(log);
    this.typingLine = el('p', 'hc-typing');
    this.typingLine.setAttribute('aria-live', 'polite');
    this.typingLine.hidden = true;
    body.appendChild(this.typingLine);
    this.csatBox = this.buildCsat();
    body.appendChild(this.csatBox);
    panel.appendChild(body);

    // Notices (errors, rate limits)
    this.notice = el('div', 'hc-notice');
    this.notice.setAttribute('role', 'alert');
    this.notice.hidden = true;
    panel.appendChild(this.notice);

    // Actions + composer
    var tools = el('div', 'hc-tools');
    this.humanButton = this.textButton('widget.human', 'hc-btn hc-btn--small', function () {
      // the title in the chat's language: the gateway accepts either (handoff/texts.py)
      self.send('/request_human', self.t('widget.human'));
      self.input.focus();
    });
    tools.appendChild(this.humanButton);
    panel.appendChild(tools);

    var form = this.form = el('form', 'hc-composer');
    form.setAttribute('novalidate', '');
    var label = this.label(el('label', 'hc-visually-hidden'), 'text', 'widget.message');
    var input = this.input = el('textarea', 'hc-input');
    input.id = 'hc-input-' + uid;
    label.htmlFor = input.id;
    input.rows = 1;
    input.maxLength = MAX_CHARS;
    this.label(input, 'placeholder', 'widget.placeholder');
    input.setAttribute('autocomplete', 'off');
    var sendButton = this.sendButton = el('button', 'hc-send');
    sendButton.type = 'submit';
    sendButton.appendChild(icon(ICONS.send));
    sendButton.appendChild(this.label(el('span', 'hc-send__label'), 'text', 'widget.send'));
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(sendButton);
    panel.appendChild(form);

    form.addEventListener('submit', function (event) {
      event.preventDefault();
      self.submitInput();
    });
    input.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        self.submitInput();
      }
    });
    input.addEventListener('input', function () {
      self.autosize();
      self.userTyping();
    });
    panel.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' || event.key === 'Esc') {
        if (!self.confirmBox.hidden) {
          self.confirmBox.hidden = true;
          self.newButton.focus();
        } else {
          self.close();
        }
        event.stopPropagation();
      } else if (event.key === 'Tab' && window.matchMedia &&
                 window.matchMedia('(max-width: 480px)').matches) {
        // Full screen on a phone: the page behind is covered, so Tab stays in the chat.
        var focusable = Array.prototype.filter.call(
          panel.querySelectorAll('button, textarea, input, select, a[href], [tabindex="0"]'),
          function (node) { return !node.disabled && node.offsetParent !== null; });
        if (!focusable.length) return;
        var first = focusable[0];
        var last = focusable[focusable.length - 1];
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

    document.addEventListener('visibilitychange', function () { self.markSeen(); });
  };

  // A text from the catalogue on `node` (attr: 'text', 'placeholder' or an attribute),
  // remembered so that a change of language sets it again.
  Widget.prototype.label = function (node, attr, key) {
    this.labels.push([node, attr, key]);
    this.setLabel(node, attr, key);
    return node;
  };

  Widget.prototype.setLabel = function (node, attr, key) {
    var text = this.t(key);
    if (attr === 'text') node.textContent = text;
    else if (attr === 'placeholder') node.placeholder = text;
    else node.setAttribute(attr, text);
  };

  Widget.prototype.iconButton = function (key, paths, onClick) {
    var button = el('button', 'hc-iconbtn');
    button.type = 'button';
    this.label(button, 'aria-label', key);
    this.label(button, 'title', key);
    button.appendChild(icon(paths));
    button.addEventListener('click', onClick);
    return button;
  };

  // A button labelled from the catalogue (`key`), or with a text of its own (`text`).
  Widget.prototype.textButton = function (key, className, onClick, text) {
    var button = el('button', className, text);
    button.type = 'button';
    if (!text) this.label(button, 'text', key);
    button.addEventListener('click', onClick);
    return button;
  };

  Widget.prototype.buildCsat = function () {
    var self = this;
    var box = el('form', 'hc-csat');
    this.ratingLabels = [];
    box.hidden = true;
    box.setAttribute('novalidate', '');
    var fieldset = el('fieldset', 'hc-csat__scale');
    fieldset.setAttribute('role', 'radiogroup');
    var legend = this.label(el('legend', 'hc-csat__legend'), 'text', 'widget.rate.legend');
    legend.id = 'hc-csat-legend-' + uid;
    fieldset.setAttribute('aria-labelledby', legend.id);
    fieldset.appendChild(legend);
    var options = el('div', 'hc-csat__options');
    for (var i = 1; i <= 5; i++) {
      var option = el('label', 'hc-csat__option');
      var radio = el('input', 'hc-csat__radio');
      radio.type = 'radio';
      radio.name = 'hc-rating-' + uid;
      radio.value = String(i);
      option.appendChild(radio);
      var optionLabel = el('span', 'hc-csat__label');
      optionLabel.dataset.rating = String(i);
      this.ratingLabels.push(optionLabel);
      option.appendChild(optionLabel);
      options.appendChild(option);
    }
    fieldset.appendChild(options);
    box.appendChild(fieldset);
    var commentLabel = this.label(el('label', 'hc-csat__comment-label'), 'text',
      'widget.rate.comment');
    var comment = el('textarea', 'hc-csat__comment');
    comment.id = 'hc-csat-comment-' + uid;
    comment.rows = 2;
    comment.maxLength = 1000;
    commentLabel.htmlFor = comment.id;
    box.appendChild(commentLabel);
    box.appendChild(comment);
    this.csatError = el('p', 'hc-csat__error');
    this.csatError.setAttribute('role', 'alert');
    box.appendChild(this.csatError);
    var submit = this.label(el('button', 'hc-btn hc-btn--primary'), 'text', 'widget.rate.submit');
    submit.type = 'submit';
    box.appendChild(submit);
    this.csatThanks = el('p', 'hc-csat__thanks');
    this.csatThanks.setAttribute('role', 'status');
    box.addEventListener('submit', function (event) {
      event.preventDefault();
      var chosen = box.querySelector('input[type="radio"]:checked');
      if (!chosen) {
        self.csatError.textContent = self.t('widget.rate.choose');
        box.querySelector('input[type="radio"]').focus();
        return;
      }
      self.csatError.textContent = '';
      self.sendRating(parseInt(chosen.value, 10), comment.value.trim(), submit);
    });
    var wrap = el('div', 'hc-csat-wrap');
    wrap.appendChild(box);
    wrap.appendChild(this.csatThanks);
    this.csatForm = box;
    return wrap;
  };

  Widget.prototype.autosize = function () {
    var input = this.input;
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight, 140) + 'px';
  };

  // -- open / close ----------------------------------------------------------------------
  Widget.prototype.open = function () {
    this.isOpen = true;
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute('aria-expanded', 'true');
    this.root.classList.add('hc-root--open');
    this.save();
    this.markSeen();
    this.scrollToEnd();
    this.input.focus();
  };

  Widget.prototype.close = function () {
    this.isOpen = false;
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute('aria-expanded', 'false');
    this.root.classList.remove('hc-root--open');
    this.confirmBox.hidden = true;
    this.save();
    this.updateBadge();
    this.launcher.focus();
  };

  Widget.prototype.markSeen = function () {
    if (this.isOpen && document.visibilityState !== 'hidden' && this.lastSeen !== this.lastSeq) {
      this.lastSeen = this.lastSeq;
      this.save();
    }
    this.updateBadge();
  };

  Widget.prototype.updateBadge = function () {
    var unread = 0;
    if (!this.isOpen) {
      var seen = this.lastSeen;
      Object.keys(this.bySeq).forEach(function (key) {
        var node = this.bySeq[key];
        if (Number(key) > seen && node.dataset.sender !== 'user') unread += 1;
      }, this);
    }
    this.badge.textContent = unread > 99 ? '99+' : String(unread);
    this.badge.hidden = unread === 0;
    this.launcher.setAttribute('aria-label', unread > 0
      ? this.t('widget.launcher.unread', { count: unread }) : this.t('widget.launcher'));
  };

  // -- connection ------------------------------------------------------------------------
  Widget.prototype.connect = function () {
    var self = this;
    if (typeof window.io !== 'function') {
      this.setConn('error', 'widget.conn.unavailable');
      return;
    }
    var socket = this.socket = window.io(BASE, {
      path: '/socket.io',
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnection: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      timeout: 10000,
      autoConnect: false
    });
    this.setConn('connecting', 'widget.conn.connecting');
    socket.on('connect', function () {
      self.failures = 0;
      self.generation += 1;
      self.startSession(self.generation);
    });
    socket.on('disconnect', function (reason) {
      self.connected = false;
      self.generation += 1;
      self.outbox.forEach(function (m) { m.inflight = false; });
      self.hideBotTyping();
      if (reason === 'io server disconnect') {
        socket.connect(); // the server dropped us; come back
      }
      self.setConn('reconnecting', 'widget.conn.reconnecting');
      self.refreshPending();
    });
    socket.on('connect_error', function (err) {
      self.failures += 1;
      var message = err && err.message ? String(err.message) : '';
      if (/origin/i.test(message) || (!socket.active && self.failures >= 1)) {
        self.setConn('error', 'widget.conn.refused');
        return;
      }
      if (self.failures >= 3) self.diagnose();
      else self.setConn(self.everConnected ? 'reconnecting' : 'connecting',
        self.everConnected ? 'widget.conn.reconnecting' : 'widget.conn.connecting');
    });
    socket.on('session_confirm', function (id) { self.onConfirm(id); });
    socket.on('bot_uttered', function (message) { self.onMessage(message); });
    socket.on('handoff_status', function (status) { self.onStatus(status); });
    socket.on('typing', function (body) { self.onAgentTyping(body); });
    socket.on('error', function (body) { self.onError(body); });

    window.addEventListener('offline', function () {
      // Don't hammer a dead network with reconnection attempts; come back when online.
      if (socket.connected || socket.active) {
        self.wentOffline = true;
        socket.disconnect();
        self.connected = false;
        self.generation += 1;
        self.outbox.forEach(function (m) { m.inflight = false; });
        self.hideBotTyping();
        self.setConn('reconnecting', 'widget.conn.reconnecting');
        self.refreshPending();
      }
    });
    window.addEventListener('online', function () {
      if (self.wentOffline || !socket.connected) {
        self.wentOffline = false;
        if (!socket.connected) socket.connect();
      }
    });
    socket.connect();
  };

  // After several failed attempts: is the gateway reachable at all? Reachable but the
  // socket is refused means this origin is not allowed.
  Widget.prototype.diagnose = function () {
    var self = this;
    if (this.diagnosing) return;
    this.diagnosing = true;
    if (!navigator.onLine) {
      this.diagnosing = false;
      this.setConn('reconnecting', 'widget.conn.reconnecting');
      return;
    }
    fetch(BASE + '/healthz', { mode: 'no-cors', cache: 'no-store', credentials: 'omit' })
      .then(function () {
        if (!self.connected) {
          self.setConn('error', 'widget.conn.refusedRetrying');
        }
      }, function () {
        if (!self.connected) self.setConn('reconnecting', 'widget.conn.reconnecting');
      })
      .then(function () { self.diagnosing = false; });
  };

  // The connection line: `key` of its text in the catalogue ('' while connected).
  Widget.prototype.setConn = function (kind, key) {
    this.connKind = kind;
    this.connKey = key || '';
    this.connStatus.textContent = key ? this.t(key) : '';
    this.connStatus.className = 'hc-conn' + (kind ? ' hc-conn--' + kind : '');
    this.root.classList.toggle('hc-root--offline', kind === 'reconnecting' || kind === 'error');
  };

  Widget.prototype.getToken = function () {
    var name = CONFIG.tokenCallback;
    var fn = name ? window[name] : null;
    if (typeof fn !== 'function') return Promise.resolve(null);
    return Promise.resolve().then(function () { return fn(); }).then(function (token) {
      return typeof token === 'string' && token ? token : null;
    }, function () { return null; });
  };

  // `withLanguage`: the page's language goes with a new chat, or when the page changed it;
  // rejoining a chat does not re-state it (the chat's language follows the user's words).
  Widget.prototype.customData = function (withLanguage) {
    var custom = {};
    if (this.token) custom.token = this.token;
    if (CONFIG.country) custom.country = CONFIG.country;
    if (CONFIG.language && withLanguage) custom.language = CONFIG.language;
    return custom;
  };

  Widget.prototype.startSession = function (generation) {
    var self = this;
    this.getToken().then(function (token) {
      if (generation !== self.generation || !self.socket.connected) return;
      var who = identityOf(token);
      self.token = token;
      if (self.who !== null && self.who !== who && self.sessionId) {
        // signed in or out since this chat started: that chat isn't this person's
        self.sessionId = null;
        self.resetView();
      }
      self.who = who;
      var withLanguage = !self.sessionId || self.sentLanguage !== CONFIG.language;
      self.askedLanguage = withLanguage ? CONFIG.language : self.sentLanguage;
      var body = { customData: self.customData(withLanguage) };
      if (self.sessionId) body.session_id = self.sessionId;
      self.requestSession(generation, body, 0);
    });
  };

  // Ask for the chat; if the gateway can't open it yet (its store is down, or no answer),
  // say so and ask again with backoff until it can (session_confirm ends this).
  Widget.prototype.requestSession = function (generation, body, attempt) {
    var self = this;
    clearTimeout(this.timers.session);
    this.socket.timeout(ACK_TIMEOUT_MS).emit('session_request', body, function (err, ack) {
      if (generation !== self.generation || self.connected) return;
      if (!err && ack && ack.ok !== false) return; // session_confirm came with it
      self.setConn('reconnecting', 'widget.conn.storeDown');
      self.timers.session = setTimeout(function () {
        if (generation === self.generation && self.socket.connected && !self.connected) {
          self.requestSession(generation, body, attempt + 1);
        }
      }, backoff(attempt));
    });
  };

  Widget.prototype.onConfirm = function (id) {
    if (typeof id !== 'string' || !id) return;
    var generation = this.generation;
    clearTimeout(this.timers.session);
    if (id !== this.sessionId) {
      this.resetView();
      this.sessionId = id;
    }
    if (typeof this.askedLanguage === 'string') {
      this.sentLanguage = this.askedLanguage; // the page's language this chat was told
    }
    this.save();
    this.connected = true;
    this.everConnected = true;
    this.setConn('', '');
    // Replays first (they go before anything still unsent), then what we still owe.
    var self = this;
    this.replay(generation, function () {
      // the page changed its language while this chat was being asked for: tell it
      if (CONFIG.language && self.sentLanguage !== CONFIG.language) self.askAgain();
      else self.flush(generation);
    });
  };

  // Everything after the last message we have, a page at a time (the acknowledgement
  // says `more` until we have caught up), then `done`.
  Widget.prototype.replay = function (generation, done) {
    var self = this;
    var finished = false;
    this.resuming = true;
    function end() {
      if (finished || generation !== self.generation) return;
      finished = true;
      self.resuming = false;
      clearTimeout(self.timers.resume);
      done();
    }
    function page(after) {
      clearTimeout(self.timers.resume);
      self.timers.resume = setTimeout(end, RESUME_WAIT_MS);
      self.socket.emit('resume', { session_id: self.sessionId, last_seq: after }, function (ack) {
        if (finished || generation !== self.generation) return;
        if (ack && ack.ok && typeof ack.latest === 'number' && ack.latest < after) {
          // the chat's history is gone (the gateway's store lost it): start over
          self.resetView();
          self.showNotice(self.t('widget.historyLost'));
          page(0);
          return;
        }
        if (ack && ack.ok && ack.more && typeof ack.last_seq === 'number' && ack.last_seq > after) {
          page(ack.last_seq);
        } else {
          end();
        }
      });
    }
    page(this.lastSeq);
  };

  // -- sending ----------------------------------------------------------------------------
  Widget.prototype.submitInput = function () {
    var text = this.input.value;
    if (!text.trim()) return;
    this.input.value = '';
    this.autosize();
    this.send(text);
  };

  Widget.prototype.send = function (text, title) {
    var entry = { id: randomId(), text: text, title: title || undefined, ts: Date.now() / 1000 };
    this.outbox.push(entry);
    this.save();
    this.clearQuickReplies();
    var node = this.renderUser(entry.text, entry.title, entry.ts, null);
    node.dataset.clientId = entry.id;
    this.byClientId[entry.id] = node;
    this.log.appendChild(node);
    this.setPending(node, true);
    this.scrollToEnd();
    this.flush(this.generation);
  };

  // A token about to expire is replaced before the next message (the page's callback
  // signs a fresh one), so a user who waited long keeps what they are entitled to.
  Widget.prototype.freshToken = function () {
    var self = this;
    if (!this.token || expiresIn(this.token) > TOKEN_MARGIN_S) return Promise.resolve(false);
    return this.getToken().then(function (token) {
      if (!token || identityOf(token) !== self.who) return false; // someone else: not here
      var changed = token !== self.token;
      self.token = token;
      return changed;
    });
  };

  Widget.prototype.flush = function (generation) {
    var self = this;
    if (!this.connected || this.resuming || generation !== this.generation) {
      this.refreshPending();
      return;
    }
    if (this.token && expiresIn(this.token) <= TOKEN_MARGIN_S && !this.refreshingToken &&
        Date.now() - (this.tokenCheckedAt || 0) > 30000) {
      this.refreshingToken = true;
      this.tokenCheckedAt = Date.now(); // (a page that has no fresher one is asked again later)
      this.freshToken().then(function (changed) {
        self.refreshingToken = false;
        self.sendToken = changed;
        self.flush(generation);
      }, function () { self.refreshingToken = false; });
      return;
    }
    this.outbox.forEach(function (entry) {
      if (entry.inflight) return;
      entry.inflight = true;
      var body = { message: entry.text, session_id: self.sessionId, client_msg_id: entry.id };
      if (entry.title) body.title = entry.title;
      if (self.sendToken) { // the refreshed token goes with the next message
        body.customData = self.customData(false);
        self.sendToken = false;
      }
      if (self.state === 'bot') self.showBotTyping();
      self.socket.timeout(ACK_TIMEOUT_MS).emit('user_uttered', body, function (err, ack) {
        if (generation !== self.generation) return; // a reconnect re-sends it
        self.onAck(entry, err ? { ok: false, code: 'timeout' } : ack);
      });
    });
    this.refreshPending();
  };

  Widget.prototype.onAck = function (entry, ack) {
    entry.inflight = false;
    if (ack && ack.ok === false) {
      if (RETRYABLE.indexOf(ack.code) >= 0) {
        this.retryLater(entry);
        return;
      }
      this.dropFromOutbox(entry.id);
      var failed = this.byClientId[entry.id];
      if (failed) {
        failed.classList.add('hc-msg--failed');
        // the gateway's own message is English: in other languages, the code's text
        var reason = this.t.has('widget.reason.' + ack.code) ? this.t('widget.reason.' + ack.code)
          : (this.lang === 'en' && ack.message) || this.t('widget.reason.refused');
        this.setPendingText(failed, 'widget.state.failed', { reason: reason });
      }
      this.afterAck();
      return;
    }
    this.dropFromOutbox(entry.id);
    var node = this.byClientId[entry.id];
    if (node) {
      this.setPending(node, false);
      if (ack && typeof ack.seq === 'number') this.assignSeq(node, ack.seq);
    }
    if (ack && typeof ack.language === 'string') this.onChatLanguage(ack.language);
    else if (this.state !== 'queued' && hasWords(entry.text)) this.askStatus();
    this.afterAck();
  };

  // Words may have changed the chat's language (bot/language.py). The gateway sends
  // handoff_status on its own only for queued chats; elsewhere a `resume` from the last
  // message we have asks for it (it replays nothing new, then sends the status).
  Widget.prototype.askStatus = function () {
    var self = this;
    clearTimeout(this.timers.status);
    this.timers.status = setTimeout(function () {
      if (!self.connected || self.resuming || !self.socket) return;
      self.socket.emit('resume', { session_id: self.sessionId, last_seq: self.lastSeq });
    }, 200); // one request for a burst of messages
  };

  // Not stored (the gateway could not reach its store, was too busy, or never answered):
  // the message stays in the outbox and goes again with backoff; its id makes a repeat
  // harmless.
  Widget.prototype.retryLater = function (entry) {
    var self = this;
    entry.attempts = (entry.attempts || 0) + 1;
    var node = this.byClientId[entry.id];
    if (node) this.setPendingText(node, 'widget.state.retrying');
    this.hideBotTyping();
    clearTimeout(this.timers.retry);
    this.timers.retry = setTimeout(function () { self.flush(self.generation); },
      backoff(entry.attempts - 1));
  };

  Widget.prototype.afterAck = function () {
    var waiting = this.outbox.some(function (m) { return m.inflight; });
    // stored; in the bot's chats the answer follows, and the indicator stays until then
    if (!waiting && this.state !== 'bot') this.hideBotTyping();
    this.save();
  };

  Widget.prototype.dropFromOutbox = function (id) {
    this.outbox = this.outbox.filter(function (m) { return m.id !== id; });
    this.save();
  };

  Widget.prototype.refreshPending = function () {
    var self = this;
    this.outbox.forEach(function (entry) {
      var node = self.byClientId[entry.id];
      if (node) self.setPendingText(node, self.connected ? 'widget.state.sending' : 'widget.state.waiting');
    });
  };

  Widget.prototype.setPending = function (node, pending) {
    node.classList.toggle('hc-msg--pending', pending);
    this.setPendingText(node, pending ? (this.connected ? 'widget.state.sending'
      : 'widget.state.waiting') : '');
  };

  // The state line under a message of ours: `key` in the catalogue ('' hides it).
  Widget.prototype.setPendingText = function (node, key, values) {
    var line = node.querySelector('.hc-msg__state');
    if (line) {
      line._key = key;
      line._values = values;
      line.textContent = key ? this.t(key, values) : '';
      line.hidden = !key;
    }
  };

  Widget.prototype.showBotTyping = function () {
    var self = this;
    this.botTyping = true;
    this.renderTyping();
    clearTimeout(this.timers.botWait);
    this.timers.botWait = setTimeout(function () { self.hideBotTyping(); }, BOT_WAIT_MS);
  };

  Widget.prototype.hideBotTyping = function () {
    this.botTyping = false;
    clearTimeout(this.timers.botWait);
    this.renderTyping();
  };

  Widget.prototype.onAgentTyping = function (body) {
    var self = this;
    if (!body || body.sender !== 'agent') return;
    this.agentTyping = typeof body.agent === 'string' && body.agent ? body.agent
      : (this.agentName || this.t('widget.sender.system'));
    this.renderTyping();
    clearTimeout(this.timers.agentTyping);
    this.timers.agentTyping = setTimeout(function () {
      self.agentTyping = '';
      self.renderTyping();
    }, AGENT_TYPING_MS);
  };

  Widget.prototype.renderTyping = function () {
    var text = '';
    if (this.agentTyping) text = this.t('widget.typing.agent', { name: this.agentTyping });
    else if (this.botTyping && this.state === 'bot') text = this.t('widget.typing.bot');
    this.typingLine.textContent = text;
    this.typingLine.hidden = !text;
    if (text) this.scrollToEnd();
  };

  Widget.prototype.userTyping = function () {
    if (this.state !== 'agent' || !this.connected) return;
    var now = Date.now();
    if (now - this.lastTypingEmit < TYPING_EMIT_MS) return;
    this.lastTypingEmit = now;
    this.socket.emit('typing', { session_id: this.sessionId });
  };

  // -- receiving ---------------------------------------------------------------------------
  Widget.prototype.onMessage = function (message) {
    if (!message || typeof message !== 'object') return;
    var meta = message.metadata && typeof message.metadata === 'object' ? message.metadata : {};
    var seq = typeof meta.seq === 'number' ? meta.seq : null;
    if (seq !== null && this.bySeq[seq]) return; // already shown
    var sender = ['user', 'bot', 'agent', 'system'].indexOf(meta.sender) >= 0 ? meta.sender : 'bot';
    var ts = typeof meta.ts === 'number' ? meta.ts : null;
    var text = typeof message.text === 'string' ? message.text : '';
    var node;
    if (sender === 'user') {
      var clientId = typeof meta.client_msg_id === 'string' ? meta.client_msg_id : null;
      var mine = clientId ? this.byClientId[clientId] : null;
      if (mine) {
        // our own optimistic bubble, now stored
        this.dropFromOutbox(clientId);
        this.setPending(mine, false);
        mine.classList.remove('hc-msg--failed');
        if (seq !== null) this.assignSeq(mine, seq);
        return;
      }
      node = this.renderUser(text, typeof meta.title === 'string' ? meta.title : '', ts, seq);
      if (clientId) {
        node.dataset.clientId = clientId;
        this.byClientId[clientId] = node;
      }
    } else {
      node = this.renderOther(sender, message, meta, ts);
      if (sender === 'bot' || sender === 'system') {
        // the assistant answered; keep the indicator only while more is in flight
        var waiting = this.outbox.some(function (m) { return m.inflight; });
        if (!waiting) this.hideBotTyping();
      }
      if (sender === 'agent') {
        this.agentTyping = '';
        this.renderTyping();
      }
    }
    var before = this.lastSeq;
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
  };

  // A message skipped numbers we never saw (sent from another tab of this chat, or missed):
  // fetch them. While a message of ours is in flight its number is still unknown, and its
  // answer arrives before its acknowledgement, so that gap is expected.
  Widget.prototype.fillGap = function (after) {
    var self = this;
    if (!this.connected || this.resuming || this.outbox.some(function (m) { return m.inflight; })) return;
    var generation = this.generation;
    var lastSeq = this.lastSeq;
    this.lastSeq = after; // replay from the gap (what we have is kept by number)
    this.replay(generation, function () {
      if (self.lastSeq < lastSeq) self.lastSeq = lastSeq;
      self.flush(generation);
    });
  };

  // Messages with a sequence number go in order among the numbered ones; unsent
  // messages of ours stay at the end.
  Widget.prototype.insert = function (node, seq) {
    var children = this.log.children;
    if (seq !== null) {
      for (var i = 0; i < children.length; i++) {
        var other = children[i];
        if (other.dataset.seq && Number(other.dataset.seq) > seq) {
          this.log.insertBefore(node, other);
          return;
        }
      }
      if (this.resuming) {
        // a replay: it happened before whatever we haven't sent yet
        for (var j = 0; j < children.length; j++) {
          if (!children[j].dataset.seq && children[j].classList.contains('hc-msg--pending')) {
            this.log.insertBefore(node, children[j]);
            return;
          }
        }
      }
    }
    this.log.appendChild(node);
  };

  Widget.prototype.assignSeq = function (node, seq) {
    var existing = this.bySeq[seq];
    if (existing && existing !== node) existing.parentNode && existing.parentNode.removeChild(existing);
    node.dataset.seq = String(seq);
    this.bySeq[seq] = node;
    if (seq > this.lastSeq) this.lastSeq = seq;
    if (this.isOpen) this.markSeen();
  };

  // `name`: the sender's own name (an agent), else the catalogue's `key` for the sender.
  Widget.prototype.messageShell = function (sender, name, ts, key) {
    var node = el('div', 'hc-msg hc-msg--' + sender);
    node.dataset.sender = sender;
    var meta = el('div', 'hc-msg__meta');
    var who = el('span', 'hc-msg__sender', name || this.t(key));
    if (!name) who.dataset.key = key;
    meta.appendChild(who);
    var date = ts ? new Date(ts * 1000) : new Date();
    var time = el('time', 'hc-msg__time', formatTime(date, this.lang));
    time.setAttribute('datetime', date.toISOString());
    meta.appendChild(time);
    node.appendChild(meta);
    var bubble = el('div', 'hc-msg__bubble');
    node.appendChild(bubble);
    return node;
  };

  Widget.prototype.renderUser = function (text, title, ts, seq) {
    var node = this.messageShell('user', '', ts, 'widget.sender.you');
    var shown = title || text;
    node.querySelector('.hc-msg__bubble').appendChild(el('p', 'hc-plain', shown));
    var state = el('p', 'hc-msg__state');
    state.hidden = true;
    node.appendChild(state);
    return node;
  };

  Widget.prototype.renderOther = function (sender, message, meta, ts) {
    var own = sender === 'agent' ? (typeof meta.agent === 'string' && meta.agent ? meta.agent
      : this.agentName) : '';
    var key = sender === 'bot' ? 'widget.sender.bot' : sender === 'system' ? 'widget.sender.system'
      : 'widget.sender.agent';
    var node = this.messageShell(sender, own, ts, key);
    var name = own || this.t(key);
    var bubble = node.querySelector('.hc-msg__bubble');
    var text = typeof message.text === 'string' ? message.text : '';
    if (text) bubble.appendChild(renderMarkdown(text));
    var attachment = message.attachment;
    if (attachment && attachment.type === 'image' && attachment.payload) {
      var src = window.HelpCenterMarkdown && window.HelpCenterMarkdown.safeUrl
        ? window.HelpCenterMarkdown.safeUrl(String(attachment.payload.src || '')) : null;
      if (src) {
        var img = el('img', 'hc-msg__image');
        img.alt = typeof attachment.payload.alt === 'string' ? attachment.payload.alt
          : this.t('widget.image', { name: name });
        img.loading = 'lazy';
        img.referrerPolicy = 'no-referrer';
        img.src = src;
        bubble.appendChild(img);
      }
    }
    if (!bubble.firstChild) node.classList.add('hc-msg--empty');
    var replies = Array.isArray(message.quick_replies) ? message.quick_replies
      : Array.isArray(message.buttons) ? message.buttons : [];
    replies = replies.filter(function (r) {
      return r && typeof r.title === 'string' && r.title && typeof r.payload === 'string';
    }).slice(0, 10);
    if (replies.length && sender !== 'user') node._quickReplies = replies;
    return node;
  };

  // Quick replies belong under the last message only, and only if it's from the bot side.
  Widget.prototype.clearQuickReplies = function () {
    var self = this;
    Array.prototype.forEach.call(this.log.querySelectorAll('.hc-quick'), function (group) {
      group.parentNode.removeChild(group);
    });
    var last = this.log.lastElementChild;
    if (!last || !last._quickReplies || last.dataset.sender === 'user' || last._quickUsed) return;
    if (this.csatPending) return; // the rating form asks instead of the 1..5 buttons
    var group = el('div', 'hc-quick');
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', this.t('widget.suggested'));
    last._quickReplies.forEach(function (reply) {
      var button = self.textButton(null, 'hc-chip', function () {
        last._quickUsed = true;
        self.send(reply.payload, reply.title);
        self.input.focus();
      }, reply.title);
      group.appendChild(button);
    });
    last.appendChild(group);
  };

  Widget.prototype.onStatus = function (status) {
    if (!status || typeof status !== 'object') return;
    var state = ['bot', 'queued', 'agent'].indexOf(status.state) >= 0 ? status.state : 'bot';
    this.status = status;
    this.state = state;
    this.agentName = typeof status.agent === 'string' ? status.agent : '';
    this.onChatLanguage(status.language);
    var t = this.t;
    var text = '';
    if (state === 'queued') {
      var parts = [t('widget.queue.waiting')];
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
    var pending = state === 'bot' && status.csat_pending === true;
    this.setCsat(pending);
  };

  // -- language ---------------------------------------------------------------------------
  // The chat's language as the gateway reports it: followed when it changes (the user wrote
  // in, or asked for, another language). A chat with no message yet has only the page's
  // language or the gateway's default, which says nothing.
  Widget.prototype.onChatLanguage = function (code) {
    var lang = supportedLanguage(code);
    if (!lang || lang === this.chatLanguage) return;
    if (!this.lastSeq && !this.outbox.length) return;
    this.chatLanguage = lang;
    this.useLanguage(lang);
    this.save();
  };

  // The page's language changed (HelpCenterChat.setLanguage): the texts follow at once,
  // and the chat is asked for again with it, so the gateway's messages follow too.
  Widget.prototype.setLanguage = function (code) {
    var lang = supportedLanguage(code);
    if (!lang) return this.lang;
    CONFIG.language = lang;
    this.pageLanguage = lang;
    this.useLanguage(lang);
    this.save();
    // (while a chat is being asked for, its confirmation sees the change: onConfirm)
    if (this.connected && this.sentLanguage !== lang) this.askAgain();
    return lang;
  };

  // Ask for the same chat again (with the page's language, see customData).
  Widget.prototype.askAgain = function () {
    this.connected = false;
    this.generation += 1;
    this.outbox.forEach(function (m) { m.inflight = false; });
    this.startSession(this.generation);
  };

  Widget.prototype.useLanguage = function (lang) {
    if (lang === this.lang) return;
    this.lang = lang;
    this.t = translator(lang);
    this.applyLanguage();
  };

  // Every text the widget shows itself, again in this.lang.
  Widget.prototype.applyLanguage = function () {
    var self = this;
    var t = this.t;
    this.root.setAttribute('lang', t.lang);
    this.labels.forEach(function (entry) { self.setLabel(entry[0], entry[1], entry[2]); });
    this.ratingLabels.forEach(function (node) {
      var rating = node.dataset.rating;
      node.textContent = t('widget.rate.option', { rating: rating, name: t('widget.rate.' + rating) });
    });
    Array.prototype.forEach.call(this.log.querySelectorAll('.hc-msg__sender[data-key]'),
      function (node) { node.textContent = t(node.dataset.key); });
    Array.prototype.forEach.call(this.log.querySelectorAll('.hc-msg__time'), function (node) {
      node.textContent = formatTime(new Date(node.getAttribute('datetime')), t.lang);
    });
    Array.prototype.forEach.call(this.log.querySelectorAll('.hc-msg__state'), function (node) {
      if (node._key) node.textContent = t(node._key, node._values);
    });
    if (this.connKey) this.connStatus.textContent = t(this.connKey);
    if (this.status) this.onStatus(this.status);
    else this.subtitle.textContent = t(this.subtitleKey);
    this.renderTyping();
    this.clearQuickReplies(); // the group's label
    this.updateBadge();
  };

  Widget.prototype.setCsat = function (pending) {
    var wasPending = this.csatPending;
    this.csatPending = pending;
    this.csatForm.hidden = !pending;
    if (pending !== wasPending) this.clearQuickReplies();
    if (pending && !wasPending) {
      this.csatThanks.textContent = '';
      this.csatForm.reset();
      this.csatError.textContent = '';
      this.scrollToEnd();
    }
  };

  Widget.prototype.sendRating = function (rating, comment, submit) {
    var self = this;
    if (!this.connected) {
      this.csatError.textContent = this.t('widget.notConnected');
      return;
    }
    submit.disabled = true;
    var body = { session_id: this.sessionId, rating: rating };
    if (comment) body.comment = comment.slice(0, 1000);
    this.socket.emit('csat', body, function (ack) {
      submit.disabled = false;
      if (ack && ack.ok === false) {
        self.csatError.textContent = self.t('widget.rate.failed');
        return;
      }
      self.csatPending = false;
      self.csatForm.hidden = true;
      self.csatThanks.textContent = self.t('widget.rate.thanks');
      self.input.focus();
    });
  };

  Widget.prototype.onError = function (body) {
    if (!body || typeof body !== 'object') return;
    // the gateway's messages are English: the widget says it in its own words by code
    var key = 'widget.error.' + body.code;
    var text = this.t.has(key) ? this.t(key)
      : (this.lang === 'en' && typeof body.message === 'string' && body.message) ||
        this.t('widget.error.generic');
    this.showNotice(text);
  };

  Widget.prototype.showNotice = function (text) {
    var self = this;
    this.notice.textContent = text.slice(0, 300);
    this.notice.hidden = false;
    clearTimeout(this.timers.notice);
    this.timers.notice = setTimeout(function () {
      self.notice.hidden = true;
      self.notice.textContent = '';
    }, 8000);
  };

  // -- queue, new conversation, identity ------------------------------------------------
  Widget.prototype.leaveQueue = function () {
    if (!this.connected) {
      this.showNotice(this.t('widget.notConnected'));
      return;
    }
    this.socket.emit('handoff_cancel', { session_id: this.sessionId });
    this.input.focus();
  };

  Widget.prototype.askNewConversation = function () {
    this.confirmBox.hidden = false;
    this.confirmYes.focus();
  };

  Widget.prototype.resetView = function () {
    while (this.log.firstChild) this.log.removeChild(this.log.firstChild);
    this.bySeq = {};
    this.byClientId = {};
    this.lastSeq = 0;
    this.lastSeen = 0;
    this.csatDone = false;
    this.state = 'bot';
    this.chatLanguage = null; // a new chat: its language is reported anew
    this.agentName = '';
    this.agentTyping = '';
    this.hideBotTyping();
    this.onStatus({ state: 'bot' });
    this.csatThanks.textContent = '';
    this.renderOutbox();
  };

  // Messages not sent yet still go (into whatever chat comes next): shown at the end.
  Widget.prototype.renderOutbox = function () {
    var self = this;
    this.outbox.forEach(function (entry) {
      if (self.byClientId[entry.id]) return;
      var node = self.renderUser(entry.text, entry.title, entry.ts, null);
      node.dataset.clientId = entry.id;
      self.byClientId[entry.id] = node;
      self.log.appendChild(node);
      self.setPending(node, true);
    });
    this.updateBadge();
  };

  Widget.prototype.newConversation = function () {
    if (this.connected && this.state === 'queued') {
      this.socket.emit('handoff_cancel', { session_id: this.sessionId });
    }
    this.outbox = [];
    this.sessionId = null;
    this.resetView();
    this.save();
    this.generation += 1;
    if (this.socket && this.socket.connected) {
      this.connected = false;
      this.startSession(this.generation);
    }
  };

  Widget.prototype.identify = function () {
    var self = this;
    return this.getToken().then(function (token) {
      var who = identityOf(token);
      self.token = token;
      if (who === self.who) return false;
      if (self.who === null && !self.sessionId) {
        self.who = who; // no chat yet: nothing to start over
        return false;
      }
      self.who = who;
      self.newConversation();
      return true;
    });
  };

  Widget.prototype.scrollToEnd = function () {
    var body = this.body;
    if (window.requestAnimationFrame) {
      window.requestAnimationFrame(function () { body.scrollTop = body.scrollHeight; });
    } else {
      body.scrollTop = body.scrollHeight;
    }
  };

  // ---------------------------------------------------------------------------------
  // Boot
  // ---------------------------------------------------------------------------------
  var widget = null;
  var queued = [];
  function call(method) {
    return function () {
      if (widget) return widget[method]();
      queued.push(method);
      return undefined;
    };
  }

  window.HelpCenterChat = {
    version: '1',
    open: call('open'),
    close: call('close'),
    newConversation: call('newConversation'),
    // the page's language ('en', 'ru'): the widget's texts and the chat's language follow
    setLanguage: function (lang) {
      if (widget) return widget.setLanguage(lang);
      if (typeof lang === 'string' && lang) CONFIG.language = lang; // read at the start
      return undefined;
    },
    identify: function () {
      if (widget) return widget.identify();
      return Promise.resolve(false); // read at connect time anyway
    }
  };

  var css = loadCss(BASE + '/static/widget.css');
  var md = window.HelpCenterMarkdown ? Promise.resolve(true) : loadScript(BASE + '/static/markdown.js');
  var i18n = window.HelpCenterI18n ? Promise.resolve(true) : loadScript(BASE + '/static/i18n.js');
  var sio = typeof window.io === 'function' ? Promise.resolve(true)
    : loadScript(BASE + '/static/vendor/socket.io.min.js');

  Promise.all([domReady(), css, md, i18n, sio]).then(function () {
    widget = new Widget();
    widget.root.hidden = false;
    widget.renderOutbox(); // what is still to be sent from the last page
    widget.updateBadge();
    widget.connect();
    queued.forEach(function (method) { widget[method](); });
    queued = [];
  });
})();
