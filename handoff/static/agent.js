/* Agent console (/agent): sign in, live queue, my chats, replies, canned replies,
 * transfer and close, over the Socket.IO namespace "/agent" (docs/protocol.md).
 *
 * Its texts come from the message catalogue (handoff/static/i18n.js), in the language
 * the agent picks ("Language", kept in localStorage; the browser's language at first).
 * Each chat shows its own language, and the queue can be filtered by it (a view only:
 * Take next and auto-assignment still serve the whole queue in order).
 *
 * Safety rule: nothing a customer, the bot or another agent wrote ever becomes HTML.
 * Every node is built with createElement + textContent; bot and agent Markdown goes
 * through window.HelpCenterMarkdown.render (handoff/static/markdown.js), which returns
 * DOM nodes and only links http(s) URLs.
 */
(function () {
  "use strict";

  var STORE = {
    token: "hc.agent.token",
    name: "hc.agent.name",
    user: "hc.agent.username",
    selected: "hc.agent.selected",
    known: "hc.agent.chats",
    draft: "hc.agent.draft.",
    notify: "hc.agent.notifications", // localStorage: survives the session
    language: "hc.agent.language",    // localStorage: the console's language
    queueLanguage: "hc.agent.queue-language" // localStorage: the queue's language filter
  };
  // stored as given in the chat's `resolution` (reports read these English values; the
  // console shows them in its language)
  var RESOLUTIONS = ["Resolved", "Not resolved", "Follow-up by ticket", "Duplicate or spam"];
  var TRIAGE_FIELDS = ["problem", "impact", "workaround", "meeting_id"];
  var TRIAGE_VALUES = ["down", "many", "few", "question", "none", "partial", "full"];
  var I18N = window.HelpCenterI18n;
  var LANGUAGES = I18N ? I18N.SUPPORTED : ["en"];
  var ACK_TIMEOUT_MS = 10000;
  var RETRYABLE = ["timeout", "offline", "unavailable", "internal", "rate_limited"];
  var AUTO_RETRIES = 5;
  var TYPING_EMIT_MS = 2000;
  var TYPING_SHOW_MS = 4000;
  var NEAR_BOTTOM_PX = 80;

  var state = {
    socket: null,
    me: { username: "", name: "", status: "", capacity: 3, canned: [] },
    gotMe: false,
    queue: [],
    queueAt: 0,
    queueIds: null,           // ids of the last queue snapshot (null before the first)
    chats: new Map(),         // chat_id -> chat
    order: [],                // chat ids in tab order
    selected: null,
    agents: [],               // last `agents` ack
    agentsAt: 0,
    agentsTimer: 0,
    agentNames: {},           // username -> display name
    wanted: null,             // chat id we asked for (accept / take next): select it
    connectedAt: 0,
    restoring: new Set(),     // chats that were ours before a reload
    audio: null,
    ticker: 0,
    msgCounter: 0,
    replyCaret: null,         // where the caret was in Reply before it lost focus
    refreshTimer: 0           // the next token refresh
  };
  // the shared composer and chat actions (built once, see buildControls)
  var ui = { suggestions: [], active: -1 };

  var $ = function (id) { return document.getElementById(id); };

  // -- language --------------------------------------------------------------------------
  function local(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      window.localStorage.setItem(key, value);
    } catch (e) { /* storage disabled: the choice lasts for this page */ }
    return null;
  }

  function firstLanguage() {
    var wanted = [local(STORE.language)].concat(navigator.languages || [navigator.language]);
    return I18N ? I18N.pick.apply(null, wanted) : "en";
  }

  /** t(key, values): the console's text in the agent's language. */
  var t = I18N ? I18N.translator(firstLanguage()) : function (key) { return key; };

  /** The name of a chat's language in the console's language ("Russian", "Русский"). */
  function languageName(code) {
    return LANGUAGES.indexOf(code) >= 0 ? t("language." + code) : String(code || "");
  }

  function planName(plan) {
    return t.has && t.has("plan." + plan) ? t("plan." + plan) : titleCase(plan);
  }

  function roleName(role) {
    return t.has && t.has("role." + role) ? t("role." + role) : titleCase(role);
  }

  function priorityName(p) {
    return t("priority." + p);
  }

  /** "RU" / "EN" with the language's name for assistive technology (and as a tooltip). */
  function languageBadge(code, node) {
    node = node || el("span", { className: "lang-badge", role: "img" });
    node.textContent = code ? t("language.code." + code) : "";
    node.setAttribute("aria-label", languageName(code));
    node.title = languageName(code);
    node.hidden = !code;
    return node;
  }

  /** The static texts of agent.html: data-i18n (text) and data-i18n-<attr> (attributes). */
  function translatePage(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-i18n]"), function (node) {
      node.textContent = t(node.getAttribute("data-i18n"));
    });
    ["aria-label", "title", "placeholder"].forEach(function (attr) {
      Array.prototype.forEach.call(root.querySelectorAll("[data-i18n-" + attr + "]"),
        function (node) { node.setAttribute(attr, t(node.getAttribute("data-i18n-" + attr))); });
    });
  }

  /** Switch the console to `lang` and show everything again in it. */
  function setLanguage(lang) {
    if (!I18N) return;
    t = I18N.translator(lang);
    local(STORE.language, t.lang);
    document.documentElement.lang = t.lang;
    $("ui-language").value = t.lang;
    translatePage(document);
    if (ui.form) {
      translatePage(ui.form);
      translatePage(ui.actions);
      fillCannedSelect();
      fillTransferSelect();
      fillResolutionSelect();
    }
    Array.prototype.forEach.call(document.querySelectorAll(".signed-in-as"), function (node) {
      node.textContent = t("console.signedInAs") + " ";
    });
    state.chats.forEach(function (chat) {
      translatePage(chat.refs.panel);
      chat.refs.ref.textContent = t("console.chat.id", { id: chat.id });
      if (!chat.refs.earlier.disabled) chat.refs.earlier.textContent = t("console.chat.earlier");
      renderChatInfo(chat);
      renderTab(chat);
      chat.msgs.forEach(function (node) { translatePage(node); });
      Array.prototype.forEach.call(chat.refs.list.querySelectorAll(".msg-time"), function (node) {
        node.textContent = clock(new Date(node.getAttribute("datetime")).getTime() / 1000);
      });
      Array.prototype.forEach.call(chat.refs.list.querySelectorAll(".msg--pending"),
        function (node) { translatePage(node); });
    });
    Array.prototype.forEach.call($("queue-list").children, function (row) {
      var chat = state.queue.filter(function (c) { return c.chat_id === row.dataset.chat; })[0];
      if (chat) fillQueueRow(row, chat);
    });
    renderQueue();
    renderChatsMeta();
    if (!$("login").hidden) document.title = t("console.title.signIn");
  }

  // -- small DOM helpers (text only, never HTML) -------------------------------------------
  function el(tag, props) {
    var node = document.createElement(tag);
    var key;
    props = props || {};
    for (key in props) {
      if (!Object.prototype.hasOwnProperty.call(props, key)) continue;
      var value = props[key];
      if (value === undefined || value === null || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "className") node.className = value;
      else if (key === "hidden") node.hidden = true;
      else if (key === "on") {
        for (var ev in value) node.addEventListener(ev, value[ev]);
      } else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function uid(prefix) {
    state.msgCounter += 1;
    var rand = "";
    if (window.crypto && window.crypto.getRandomValues) {
      var buf = new Uint32Array(2);
      window.crypto.getRandomValues(buf);
      rand = buf[0].toString(36) + buf[1].toString(36);
    } else {
      rand = Math.random().toString(36).slice(2);
    }
    return (prefix + "-" + Date.now().toString(36) + "-" + state.msgCounter + "-" + rand)
      .slice(0, 64);
  }

  function domId(chatId) {
    return String(chatId).replace(/[^A-Za-z0-9_-]/g, "_");
  }

  function titleCase(text) {
    text = String(text || "");
    return text ? text.charAt(0).toUpperCase() + text.slice(1) : "";
  }

  function duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return h > 0 ? h + ":" + two(m) + ":" + two(s) : m + ":" + two(s);
  }

  function clock(ts) {
    var date = new Date(ts * 1000);
    if (isNaN(date.getTime())) return "";
    var today = new Date();
    var opts = { hour: "2-digit", minute: "2-digit" };
    if (date.toDateString() !== today.toDateString()) {
      opts.month = "short";
      opts.day = "numeric";
    }
    return date.toLocaleString([t.lang], opts);
  }

  function session(key, value) {
    try {
      if (value === undefined) return window.sessionStorage.getItem(key);
      if (value === null) window.sessionStorage.removeItem(key);
      else window.sessionStorage.setItem(key, value);
    } catch (e) { /* storage disabled: the console still works without reloads */ }
    return null;
  }

  function announce(text) {
    var node = $("announcer");
    node.textContent = "";
    window.setTimeout(function () { node.textContent = text; }, 50);
  }

  function notice(text, isError) {
    var box = isError ? $("alerts") : $("notices");
    var item = el("div", { className: "notice" + (isError ? " notice--error" : "") },
      el("span", { text: text }));
    var dismiss = el("button", {
      className: "btn btn-small", type: "button",
      "aria-label": t("console.dismissNotice", { text: text }), text: t("console.dismiss")
    });
    dismiss.addEventListener("click", function () { item.remove(); });
    item.appendChild(dismiss);
    box.appendChild(item);
    while (box.children.length > 4) box.removeChild(box.firstChild);
    window.setTimeout(function () { item.remove(); }, isError ? 20000 : 12000);
  }

  // -- sign in / out ---------------------------------------------------------------------
  function showLogin(message) {
    $("console").hidden = true;
    $("login").hidden = false;
    $("login-language-slot").appendChild($("language-field")); // one "Language" control
    document.title = t("console.title.signIn");
    $("login-message").textContent = message || "";
    $("login-submit").disabled = false;
    var user = $("login-username");
    if (!user.value) user.value = session(STORE.user) || "";
    (user.value ? $("login-password") : user).focus();
  }

  function showConsole() {
    $("login").hidden = true;
    $("console").hidden = false;
    $("topbar-language-slot").appendChild($("language-field"));
    $("login-error").textContent = "";
    $("login-message").textContent = "";
    $("agent-name").textContent = session(STORE.name) || session(STORE.user) || "";
    updateTitle();
  }

  function onLoginSubmit(event) {
    event.preventDefault();
    unlockAudio();
    var username = $("login-username").value.trim();
    var password = $("login-password").value;
    var error = $("login-error");
    error.textContent = "";
    if (!username || !password) {
      error.textContent = t("console.login.missing");
      (username ? $("login-password") : $("login-username")).focus();
      return;
    }
    var button = $("login-submit");
    button.disabled = true;
    button.textContent = t("console.signingIn");
    fetch("/agent/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ username: username, password: password })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        return { status: resp.status, body: body };
      });
    }).then(function (result) {
      button.disabled = false;
      button.textContent = t("console.signIn");
      if (result.status === 200 && result.body && typeof result.body.token === "string") {
        $("login-password").value = "";
        session(STORE.token, result.body.token);
        scheduleRefresh(result.body.expires_in);
        session(STORE.user, username);
        session(STORE.name, typeof result.body.name === "string" ? result.body.name : username);
        start();
        return;
      }
      error.textContent = result.status === 401
        ? t("console.login.wrong")
        : result.status === 429
          ? t("console.login.throttled", { wait: result.body && result.body.error
            ? retryText(result.body.error) : t("console.wait.while") })
          : t("console.login.failed", { status: result.status });
      $("login-password").select();
      $("login-password").focus();
    }).catch(function () {
      button.disabled = false;
      button.textContent = t("console.signIn");
      error.textContent = t("console.login.unreachable");
    });
  }

  function retryText(error) {
    var match = /(\d+) s\b/.exec(String(error));
    if (!match) return t("console.wait.while");
    var minutes = Math.ceil(Number(match[1]) / 60);
    return minutes <= 1 ? t("console.wait.minute") : t("console.wait.minutes", { count: minutes });
  }

  // Console tokens are short-lived: a fresh one is fetched before the current one ends
  // and handed to the open socket (`auth`); a refused refresh means signed out.
  function scheduleRefresh(expiresIn) {
    window.clearTimeout(state.refreshTimer);
    var seconds = Number(expiresIn) > 0 ? Number(expiresIn) : 900;
    state.refreshTimer = window.setTimeout(refreshToken,
      Math.max(5, seconds * 0.75) * 1000);
  }

  function refreshToken() {
    var token = session(STORE.token);
    if (!token) return;
    fetch("/agent/refresh", {
      method: "POST", headers: { "Content-Type": "application/json" },
      credentials: "same-origin", body: JSON.stringify({ token: token })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        if (resp.status === 200 && typeof body.token === "string") {
          session(STORE.token, body.token);
          if (state.socket) state.socket.emit("auth", { token: body.token });
          scheduleRefresh(body.expires_in);
        } else if (resp.status === 401) {
          signOut(t("console.session.ended"));
        } else {
          scheduleRefresh(60); // try again in a while
        }
      });
    }).catch(function () { scheduleRefresh(60); });
  }

  function signOut(message) {
    var token = session(STORE.token);
    if (token) {
      // end the session on the server too, so the token is worthless everywhere
      fetch("/agent/logout", {
        method: "POST", headers: { "Content-Type": "application/json" },
        credentials: "same-origin", body: JSON.stringify({ token: token }), keepalive: true
      }).catch(function () { /* the session still ends with its token */ });
    }
    window.clearTimeout(state.refreshTimer);
    var socket = state.socket;
    state.socket = null;
    if (socket) {
      socket.off();
      socket.disconnect();
    }
    session(STORE.token, null);
    session(STORE.name, null);
    session(STORE.selected, null);
    session(STORE.known, null);
    state.chats.forEach(function (chat) { session(STORE.draft + chat.id, null); });
    resetWorkspace();
    showLogin(message || t("console.signedOut"));
  }

  function resetWorkspace() {
    state.chats.clear();
    state.order = [];
    state.selected = null;
    state.queue = [];
    state.queueIds = null;
    state.gotMe = false;
    state.wanted = null;
    $("presence").disabled = true;
    hideSuggestions();
    ui.form.remove();
    ui.actions.remove();
    ui.reply.value = "";
    clear($("tabs"));
    clear($("panels"));
    clear($("queue-list"));
    clear($("notices"));
    clear($("alerts"));
    $("connection").textContent = "";
    renderChatsMeta();
    renderQueue();
  }

  // -- connection ------------------------------------------------------------------------
  function start() {
    showConsole();
    if (typeof window.io !== "function") {
      notice(t("console.conn.noClient"), true);
      return;
    }
    var known = [];
    try { known = JSON.parse(session(STORE.known) || "[]"); } catch (e) { known = []; }
    state.restoring = new Set(Array.isArray(known) ? known : []);
    connect();
  }

  function connect() {
    var socket = window.io("/agent", {
      // read on every (re)connection: the token is refreshed while the console is open
      auth: function (cb) { cb({ token: session(STORE.token) }); },
      // WebSocket first (long-polling only where it is blocked): no poll left in flight
      // to be answered 400 by the server after a sign-out or reload closed the session
      transports: ["websocket", "polling"],
      tryAllTransports: true,
      reconnectionDelayMax: 5000
    });
    state.socket = socket;
    $("presence").disabled = true; // until `me` says where we are
    setConnection("console.conn.connecting");

    socket.on("connect", function () {
      state.connectedAt = Date.now();
      setConnection("");
      window.setTimeout(function () {
        if (!state.gotMe && state.socket === socket && socket.connected) {
          // An older gateway without `me`: say we are online.
          emitPresence("online");
        }
      }, 2500);
    });
    socket.on("disconnect", function (reason) {
      if (reason === "io client disconnect") return;
      state.gotMe = false;
      $("presence").disabled = true;
      setConnection("console.conn.reconnecting");
      // socket.io does not come back by itself after the server closed the connection
      if (reason === "io server disconnect") {
        window.setTimeout(function () {
          if (state.socket === socket && !socket.connected) socket.connect();
        }, 1000);
      }
    });
    socket.on("connect_error", function (err) {
      var message = err && err.message ? String(err.message) : "";
      if (socket.active) {
        setConnection("console.conn.reconnecting"); // a transport problem: socket.io retries by itself
        return;
      }
      // refused by the server ("login required"; python-socketio says "Connection
      // refused by server" when the refusal carries no message it passes on)
      if (message === "origin not allowed") {
        setConnection("console.conn.disconnected");
        notice(t("console.conn.origin"), true);
        return;
      }
      signOut(t("console.session.ended"));
    });
    socket.on("me", onMe);
    socket.on("queue", onQueue);
    socket.on("assigned", onAssigned);
    socket.on("chat_message", onChatMessage);
    socket.on("typing", onTyping);
    socket.on("customer_presence", onCustomerPresence);
    socket.on("chat_closed", onChatClosed);
  }

  /** The connection line: `key` of its text in the catalogue ("" while connected). */
  function setConnection(key) {
    var node = $("connection");
    if (key) node.setAttribute("data-i18n", key);
    else node.removeAttribute("data-i18n");
    node.textContent = key ? t(key) : "";
    node.classList.toggle("connection--bad", !!key && key !== "console.conn.connecting");
  }

  /** Emit with an acknowledgement; `done(ack)` always gets an object with `ok`. */
  function request(event, payload, done) {
    var socket = state.socket;
    if (!socket) {
      done({ ok: false, code: "offline", message: "not connected" });
      return;
    }
    socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, function (err, ack) {
      if (err) {
        done({ ok: false, code: "timeout", message: "no answer from the server" });
        return;
      }
      done(ack && typeof ack === "object" ? ack : { ok: false, code: "internal",
        message: "unexpected answer" });
    });
  }

  /** Why a request failed, in the console's language (the gateway's own messages are
   * English: shown as they are in English, else the code's text). */
  function errorText(ack) {
    var code = ack && ack.code ? String(ack.code) : "";
    if (t.lang === "en" && ack && ack.message) return String(ack.message);
    if (code && t.has && t.has("console.reason." + code)) return t("console.reason." + code);
    return t("console.reason.unknown");
  }

  // -- me / presence ---------------------------------------------------------------------
  function onMe(data) {
    if (!data || typeof data !== "object") return;
    state.gotMe = true;
    state.me.username = String(data.username || session(STORE.user) || "");
    state.me.name = String(data.name || state.me.username);
    state.me.capacity = Number(data.capacity) > 0 ? Number(data.capacity) : 3;
    state.me.canned = Array.isArray(data.canned) ? data.canned.filter(function (c) {
      return c && typeof c.shortcut === "string" && typeof c.text === "string";
    }) : [];
    session(STORE.name, state.me.name);
    $("agent-name").textContent = state.me.name;
    state.agentNames[state.me.username] = state.me.name;
    var status = String(data.status || "offline");
    if (status === "offline") {
      emitPresence("online"); // first sign-in (or back after a long absence)
    } else {
      state.me.status = status === "away" ? "away" : "online";
      $("presence").value = state.me.status;
      $("presence").disabled = false;
    }
    if (Array.isArray(data.chats)) pruneChats(data.chats);
    fillCannedSelect();
    renderChatsMeta();
  }

  /** Chats we still show but the server no longer gives us (requeued while we were
   * disconnected past the grace period). Only if `me` lists our chats. */
  function pruneChats(ids) {
    var mine = new Set(ids.map(String));
    state.order.slice().forEach(function (chatId) {
      if (mine.has(chatId)) return;
      var chat = state.chats.get(chatId);
      notice(t("console.requeued", { customer: customerName(chat) }), true);
      removeChat(chatId);
    });
  }

  /** One presence request at a time: the select is disabled until the answer. */
  function emitPresence(status) {
    var select = $("presence");
    select.disabled = true;
    request("presence", { status: status }, function (ack) {
      select.disabled = false;
      if (ack.ok) {
        state.me.status = status;
      } else {
        notice(t("console.status.failed", { reason: errorText(ack) }), true);
      }
      select.value = state.me.status === "away" ? "away" : "online";
      updateTitle();
    });
  }

  // -- queue -----------------------------------------------------------------------------
  function onQueue(data) {
    var chats = data && Array.isArray(data.chats) ? data.chats : [];
    var fresh = [];
    var ids = new Set();
    chats.forEach(function (c) {
      ids.add(c.chat_id);
      if (state.queueIds && !state.queueIds.has(c.chat_id)) fresh.push(c);
    });
    state.queue = chats;
    state.queueAt = Date.now();
    state.queueIds = ids;
    renderQueue();
    // presence changes re-send the queue: a good moment to refresh the transfer picker
    if (state.chats.size) refreshAgentsSoon();
    fresh = fresh.filter(shownByFilter); // the agent asked to see only these
    if (fresh.length) {
      var first = fresh[0];
      alertAgent(t("console.alert.waiting"),
        (first.priority || "") + " " + (/^P[1-4]$/.test(first.priority)
          ? priorityName(first.priority) : "") + ": " + String(first.summary || "").slice(0, 140));
    }
  }

  /** The queue's language filter ("" = all languages): it hides rows, nothing more. */
  function queueFilter() {
    return $("queue-language").value;
  }

  function chatLanguage(chat) {
    return LANGUAGES.indexOf(chat.language) >= 0 ? chat.language : "";
  }

  function shownByFilter(chat) {
    var wanted = queueFilter();
    return !wanted || chatLanguage(chat) === wanted;
  }

  function onQueueFilter() {
    local(STORE.queueLanguage, queueFilter());
    renderQueue();
  }

  function renderQueue() {
    var list = $("queue-list");
    var rows = new Map();
    Array.prototype.forEach.call(list.children, function (row) {
      rows.set(row.dataset.chat, row);
    });
    var seen = new Set();
    var shown = 0;
    state.queue.forEach(function (chat, index) {
      seen.add(chat.chat_id);
      var row = rows.get(chat.chat_id) || queueRow(chat);
      fillQueueRow(row, chat);
      row.hidden = !shownByFilter(chat);
      if (!row.hidden) shown += 1;
      if (list.children[index] !== row) list.insertBefore(row, list.children[index] || null);
    });
    rows.forEach(function (row, id) { if (!seen.has(id)) row.remove(); });
    var n = state.queue.length;
    var filter = queueFilter();
    $("queue-empty").hidden = n > 0;
    $("queue-filtered").hidden = !(n > 0 && shown === 0);
    $("queue-filtered").textContent = filter ? t("console.queue.filter.empty." + filter) : "";
    renderCapacity();
    tickQueue();
    updateTitle();
  }

  /** At capacity the server would refuse another chat: say so instead of offering one. */
  function renderCapacity() {
    var full = state.chats.size >= state.me.capacity;
    var n = state.queue.length;
    $("take-next").disabled = n === 0 || full;
    Array.prototype.forEach.call($("queue-list").querySelectorAll(".qrow-actions button"),
      function (button) { button.disabled = full; });
    var shown = state.queue.filter(shownByFilter).length;
    var parts = [];
    if (n) parts.push(t("console.queue.count", { count: n }));
    if (n && queueFilter()) parts.push(t("console.queue.shown", { count: shown }));
    if (n && full) parts.push(t("console.queue.atCapacity"));
    $("queue-count").textContent = parts.join(" · ");
  }

  function queueRow(chat) {
    var id = "q-" + domId(chat.chat_id);
    var row = el("li", { className: "qrow", "data-chat": chat.chat_id, id: id });
    var head = el("div", { className: "qrow-head" },
      el("span", { className: "prio" }),
      languageBadge(""),
      el("span", { className: "qrow-plan" }),
      el("span", { className: "qrow-role" }));
    var summary = el("p", { className: "qrow-summary", id: id + "-summary" });
    var times = el("p", { className: "qrow-times" },
      el("span", { className: "qrow-wait" }),
      el("span", { className: "qrow-due" }));
    var accept = el("button", {
      className: "btn btn-primary btn-small", type: "button", text: t("console.accept"),
      "data-i18n": "console.accept", "aria-describedby": id + "-summary"
    });
    accept.addEventListener("click", function () { acceptChat(chat.chat_id, accept); });
    row.appendChild(head);
    row.appendChild(summary);
    row.appendChild(times);
    row.appendChild(el("div", { className: "qrow-actions" }, accept));
    return row;
  }

  function fillQueueRow(row, chat) {
    var p = /^P[1-4]$/.test(chat.priority) ? chat.priority : "P3";
    row.className = "qrow qrow--" + p.toLowerCase();
    row.dataset.waiting = String(Number(chat.waiting_s) || 0);
    row.dataset.due = String(Number(chat.due_in_s) || 0);
    var prio = row.querySelector(".prio");
    prio.className = "prio prio--" + p.toLowerCase();
    prio.textContent = p + " " + priorityName(p);
    languageBadge(chatLanguage(chat), row.querySelector(".lang-badge"));
    row.querySelector(".qrow-plan").textContent = chat.plan
      ? t("console.row.plan", { plan: planName(chat.plan) }) : t("console.row.noPlan");
    row.querySelector(".qrow-role").textContent = chat.role
      ? t("console.row.role", { role: roleName(chat.role) }) : t("console.row.visitor");
    row.querySelector(".qrow-actions button").textContent = t("console.accept");
    var summary = row.querySelector(".qrow-summary");
    summary.textContent = chat.summary || t("console.row.noSummary");
    summary.title = chat.summary || "";
  }

  function tickQueue() {
    var elapsed = state.queueAt ? (Date.now() - state.queueAt) / 1000 : 0;
    Array.prototype.forEach.call($("queue-list").children, function (row) {
      var waiting = Number(row.dataset.waiting) + elapsed;
      var due = Number(row.dataset.due) - elapsed;
      row.querySelector(".qrow-wait").textContent =
        t("console.row.waiting", { time: duration(waiting) });
      var dueNode = row.querySelector(".qrow-due");
      var late = due < 0;
      dueNode.textContent = late ? t("console.row.overdue", { time: duration(-due) })
        : t("console.row.due", { time: duration(due) });
      dueNode.classList.toggle("overdue", late);
      row.classList.toggle("qrow--overdue", late);
    });
  }

  function acceptChat(chatId, button) {
    unlockAudio();
    if (button) button.disabled = true;
    state.wanted = chatId;
    request("accept", { chat_id: chatId }, function (ack) {
      if (button) button.disabled = false;
      renderCapacity();
      if (ack.ok) {
        if (state.chats.has(chatId)) select(chatId, true);
        return;
      }
      state.wanted = null;
      notice(t("console.accept.failed", { reason: errorText(ack) }), true);
    });
  }

  function takeNext() {
    unlockAudio();
    var button = $("take-next");
    button.disabled = true;
    state.wanted = "*";
    request("take_next", {}, function (ack) {
      renderCapacity();
      if (ack.ok && ack.chat_id) {
        state.wanted = ack.chat_id;
        if (state.chats.has(ack.chat_id)) select(ack.chat_id, true);
        return;
      }
      state.wanted = null;
      notice(t("console.takeNext.failed", { reason: errorText(ack) }), true);
    });
  }

  // -- my chats: tabs and panels ---------------------------------------------------------
  function customerName(chat) {
    return chat.account && chat.account.name ? String(chat.account.name) : t("console.visitor");
  }

  function firstName(chat) {
    var name = chat.account && chat.account.name ? String(chat.account.name).trim() : "";
    return name ? name.split(/\s+/)[0] : t("console.canned.customer");
  }

  function onAssigned(data) {
    if (!data || typeof data.chat_id !== "string") return;
    var chatId = data.chat_id;
    var chat = state.chats.get(chatId);
    var isNew = !chat;
    if (isNew) chat = createChat(chatId);
    chat.account = data.account && typeof data.account === "object" ? data.account : null;
    chat.priority = data.priority || "";
    chat.summary = data.summary || "";
    chat.triage = data.triage && typeof data.triage === "object" ? data.triage : {};
    chat.language = typeof data.language === "string" ? data.language : "";
    chat.closed = false;
    chat.note = "";
    chat.online = data.customer_online !== false;
    renderChatInfo(chat);
    (Array.isArray(data.transcript) ? data.transcript : []).forEach(function (m) {
      addMessage(chat, m, false);
    });
    if (isNew || !chat.earlierLoaded) {
      chat.refs.earlier.hidden = data.has_earlier !== true;
    }
    renderTab(chat);
    saveKnown();
    if (chat.id === state.selected) syncControls(chat);

    var wanted = state.wanted === chatId || (state.wanted === "*" && isNew);
    var saved = session(STORE.selected);
    if (wanted) {
      state.wanted = null;
      select(chatId, true);
    } else if (!state.selected || (saved === chatId && state.selected !== chatId &&
               state.restoring.has(chatId))) {
      select(chatId, false);
    }
    if (isNew && !wanted) {
      if (state.restoring.has(chatId)) {
        state.restoring.delete(chatId);
      } else {
        alertAgent(t("console.alert.assigned"), customerName(chat) + ": " +
          String(chat.summary || "").slice(0, 140));
        announce(t("console.announce.assigned", { customer: customerName(chat) }));
      }
    }
    renderChatsMeta();
  }

  function createChat(chatId) {
    var key = domId(chatId);
    var chat = {
      id: chatId, account: null, priority: "", summary: "", triage: {}, language: "",
      msgs: new Map(), unread: 0, closed: false, closing: "", note: "", typingTimer: 0,
      lastTypingEmit: 0, refs: {}
    };
    // the chat's language: "RU" in the tab, its name as the tab's description (the tab's
    // name stays the customer's: "Bo Business (2 unread)")
    chat.refs.tabLanguage = el("span", { id: "tab-lang-" + key });
    $("tab-descriptions").appendChild(chat.refs.tabLanguage);
    var tab = el("button", {
      className: "tab", type: "button", role: "tab", id: "tab-" + key,
      "aria-controls": "panel-" + key, "aria-selected": "false", tabindex: "-1",
      "aria-describedby": "tab-lang-" + key
    }, el("span", { className: "tab-name" }), el("span", { className: "tab-unread" }),
    el("span", { className: "lang-badge tab-lang", "aria-hidden": "true" }));
    tab.addEventListener("click", function () { select(chatId, false); });
    tab.addEventListener("keydown", onTabKey);
    chat.refs.tab = tab;
    $("tabs").appendChild(tab);
    state.order.push(chatId);

    var panel = el("div", {
      className: "panel", role: "tabpanel", id: "panel-" + key,
      "aria-labelledby": "tab-" + key, hidden: true
    });
    chat.refs.panel = panel;
    buildPanel(chat, key, panel);
    $("panels").appendChild(panel);
    state.chats.set(chatId, chat);
    return chat;
  }

  /** A chat's own part of the page: heading, transcript, customer and triage cards. The
   * composer and the transfer/close controls exist once and move into the selected
   * chat's panel (slots below), so every control name is unique on the page. */
  function buildPanel(chat, key, panel) {
    var refs = chat.refs;
    refs.heading = el("h3", { className: "chat-title", id: "title-" + key });
    refs.prio = el("span", { className: "prio" });
    refs.lang = languageBadge("");
    // whether the customer's page is still open (the gateway's `customer_presence`)
    refs.presence = el("span", { className: "presence", role: "status" });
    refs.actionsSlot = el("div", { className: "slot" });
    panel.appendChild(el("div", { className: "chat-head" },
      el("div", { className: "chat-name" }, refs.heading, refs.prio, refs.lang, refs.presence),
      refs.actionsSlot));

    refs.list = el("ol", { className: "messages" });
    // the console opens a chat on its newest messages; older ones on request
    refs.earlier = el("button", { className: "btn btn-small earlier", type: "button",
                                  text: t("console.chat.earlier"), hidden: true });
    refs.earlier.addEventListener("click", function () { loadEarlier(chat); });
    refs.log = el("div", {
      className: "transcript", role: "log", "aria-label": t("console.chat.transcript"),
      "data-i18n-aria-label": "console.chat.transcript",
      "aria-live": "polite", tabindex: "0"
    }, refs.earlier, refs.list);
    refs.typing = el("p", { className: "typing", role: "status" });
    refs.composerSlot = el("div", { className: "slot" });
    var main = el("div", { className: "chat-main" }, refs.log, refs.typing, refs.composerSlot);

    refs.customer = el("div", { className: "card-body" });
    refs.triage = el("div", { className: "card-body" });
    // scrolls on its own on small screens: focusable so it scrolls by keyboard too
    refs.ref = el("p", { className: "chat-ref", text: t("console.chat.id", { id: chat.id }) });
    var side = el("div", { className: "chat-side", role: "region", tabIndex: "0",
                           "aria-label": t("console.chat.details"),
                           "data-i18n-aria-label": "console.chat.details" },
      el("section", { className: "card", "aria-labelledby": "cust-" + key },
        el("h4", { id: "cust-" + key, text: t("console.chat.customer"),
                   "data-i18n": "console.chat.customer" }), refs.customer),
      el("section", { className: "card", "aria-labelledby": "tri-" + key },
        el("h4", { id: "tri-" + key, text: t("console.chat.triage"),
                   "data-i18n": "console.chat.triage" }), refs.triage),
      refs.ref);
    panel.appendChild(el("div", { className: "chat-body" }, main, side));
  }

  /** The composer and the chat actions, built once (see buildPanel). */
  function buildControls() {
    ui.reply = el("textarea", {
      id: "reply", className: "reply", rows: "3", maxlength: "4000",
      "aria-describedby": "reply-help", "aria-autocomplete": "list",
      "aria-controls": "suggest"
    });
    ui.suggest = el("ul", {
      className: "suggest", id: "suggest", role: "listbox", "aria-label": t("console.canned.list"),
      "data-i18n-aria-label": "console.canned.list", hidden: true
    });
    ui.canned = el("select", { id: "canned", className: "canned" });
    ui.send = el("button", { className: "btn btn-primary", type: "submit", text: t("console.send"),
                             "data-i18n": "console.send" });
    ui.sendError = el("p", { className: "form-error", role: "alert" });
    ui.form = el("form", { className: "composer", novalidate: true },
      el("label", { "for": "reply", className: "composer-label", text: t("console.reply"),
                    "data-i18n": "console.reply" }),
      ui.reply,
      ui.suggest,
      el("p", { className: "hint", id: "reply-help", text: t("console.reply.help"),
                "data-i18n": "console.reply.help" }),
      el("div", { className: "composer-row" },
        el("div", { className: "inline-field" },
          el("label", { "for": "canned", text: t("console.canned"), "data-i18n": "console.canned" }),
          ui.canned),
        ui.send),
      ui.sendError);
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      withChat(sendReply);
    });
    ui.reply.addEventListener("keydown", function (event) {
      withChat(function (chat) { onReplyKey(chat, event); });
    });
    ui.reply.addEventListener("input", function () { withChat(onReplyInput); });
    ui.reply.addEventListener("blur", function () {
      window.setTimeout(hideSuggestions, 150);
    });
    ui.canned.addEventListener("change", function () {
      var item = state.me.canned[Number(ui.canned.value)];
      ui.canned.value = "";
      if (item) withChat(function (chat) { insertCanned(chat, item, false); });
    });
    fillCannedSelect();

    ui.transferTo = el("select", { id: "transfer-to" });
    ui.transfer = el("button", { className: "btn", type: "button", text: t("console.transfer"),
                                 "data-i18n": "console.transfer" });
    ui.transferTo.addEventListener("focus", refreshAgents);
    ui.transferTo.addEventListener("mousedown", refreshAgents);
    ui.transfer.addEventListener("click", function () { withChat(transferChat); });
    fillTransferSelect();
    ui.resolution = el("select", { id: "resolution" });
    fillResolutionSelect();
    ui.close = el("button", { className: "btn btn-danger", type: "button",
      text: t("console.close"), "data-i18n": "console.close" });
    ui.close.addEventListener("click", function () { withChat(closeChat); });
    ui.actionError = el("p", { className: "form-error", role: "alert" });
    ui.actions = el("div", { className: "chat-actions", role: "group",
      "aria-label": t("console.actions"), "data-i18n-aria-label": "console.actions" },
      el("div", { className: "action" },
        el("label", { "for": "transfer-to", text: t("console.transferTo"),
                      "data-i18n": "console.transferTo" }), ui.transferTo,
        ui.transfer),
      el("div", { className: "action" },
        el("label", { "for": "resolution", text: t("console.resolution"),
                      "data-i18n": "console.resolution" }), ui.resolution,
        ui.close),
      ui.actionError);
  }

  /** Resolutions are stored as their English values; the options show them translated. */
  function fillResolutionSelect() {
    var keep = ui.resolution.value;
    clear(ui.resolution);
    RESOLUTIONS.forEach(function (r) {
      ui.resolution.appendChild(el("option", { value: r, text: t("console.resolution." + r) }));
    });
    if (keep) ui.resolution.value = keep;
  }

  function current() {
    return state.selected ? state.chats.get(state.selected) || null : null;
  }

  function withChat(fn) {
    var chat = current();
    if (chat) fn(chat);
  }

  /** Point the shared controls at `chat`: its draft, its state. */
  function syncControls(chat) {
    hideSuggestions();
    state.replyCaret = null;
    chat.refs.composerSlot.appendChild(ui.form);
    chat.refs.actionsSlot.appendChild(ui.actions);
    ui.reply.value = session(STORE.draft + chat.id) || "";
    ui.sendError.textContent = "";
    ui.actionError.textContent = chat.note || "";
    var on = !chat.closed;
    [ui.reply, ui.send, ui.canned, ui.transferTo, ui.transfer, ui.resolution, ui.close]
      .forEach(function (n) { n.disabled = !on; });
  }

  function renderPresence(chat) {
    chat.refs.presence.textContent = chat.online ? t("console.chat.online") : t("console.chat.left");
    chat.refs.presence.className = "presence" + (chat.online ? " presence--online"
      : " presence--away");
  }

  function onCustomerPresence(data) {
    if (!data || typeof data.chat_id !== "string") return;
    var chat = state.chats.get(data.chat_id);
    if (!chat || chat.online === (data.online === true)) return;
    chat.online = data.online === true;
    renderPresence(chat);
  }

  function renderChatInfo(chat) {
    var refs = chat.refs;
    var name = customerName(chat);
    refs.heading.textContent = name;
    renderPresence(chat);
    var p = /^P[1-4]$/.test(chat.priority) ? chat.priority : "";
    refs.prio.className = "prio" + (p ? " prio--" + p.toLowerCase() : "");
    refs.prio.textContent = p ? p + " " + priorityName(p) : t("console.chat.noPriority");
    languageBadge(chatLanguage(chat), refs.lang);
    refs.tabLanguage.textContent = chatLanguage(chat) ? languageName(chatLanguage(chat)) : "";

    clear(refs.customer);
    var a = chat.account;
    var language = [t("console.chat.language"), languageName(chatLanguage(chat))];
    if (a) {
      refs.customer.appendChild(definitionList([
        [t("console.card.name"), a.name], [t("console.card.userId"), a.user_id],
        [t("console.card.accountId"), a.account_id],
        [t("console.card.plan"), a.plan ? planName(a.plan) : ""],
        [t("console.card.role"), a.role ? roleName(a.role) : ""],
        [t("console.card.licensed"), a.licensed ? t("console.card.yes") : t("console.card.no")],
        language
      ]));
    } else {
      refs.customer.appendChild(el("p", { text: t("console.card.anonymous") }));
      refs.customer.appendChild(definitionList([language]));
    }

    clear(refs.triage);
    var rows = [[t("console.card.priority"), p ? p + " " + priorityName(p) : "—"],
                [t("console.card.summary"), chat.summary || "—"]];
    var triage = chat.triage || {};
    Object.keys(triage).forEach(function (k) {
      var v = triage[k];
      var shown = v === null || v === undefined || v === "" ? t("console.card.notGiven")
        : (TRIAGE_VALUES.indexOf(v) >= 0 && k !== "problem" ? t("console.triage." + v)
          : String(v));
      rows.push([TRIAGE_FIELDS.indexOf(k) >= 0 ? t("console.triage." + k)
        : titleCase(String(k).replace(/_/g, " ")), shown]);
    });
    refs.triage.appendChild(definitionList(rows));
  }

  function definitionList(rows) {
    var dl = el("dl", { className: "facts" });
    rows.forEach(function (r) {
      var value = r[1] === undefined || r[1] === null || r[1] === "" ? "—" : String(r[1]);
      dl.appendChild(el("div", { className: "fact" },
        el("dt", { text: r[0] }), el("dd", { text: value })));
    });
    return dl;
  }

  function renderTab(chat) {
    var tab = chat.refs.tab;
    tab.querySelector(".tab-name").textContent = customerName(chat);
    tab.querySelector(".tab-unread").textContent = chat.unread > 0
      ? " " + t("console.tab.unread", { count: chat.unread }) : "";
    var language = chatLanguage(chat);
    var badge = tab.querySelector(".tab-lang");
    badge.textContent = language ? t("language.code." + language) : "";
    badge.hidden = !language;
    var p = /^P[1-4]$/.test(chat.priority) ? chat.priority.toLowerCase() : "p3";
    tab.className = "tab tab--" + p + (chat.unread > 0 ? " tab--unread" : "") +
      (chat.closed ? " tab--closed" : "");
  }

  function renderChatsMeta() {
    renderCapacity();
    var n = state.chats.size;
    $("chats-empty").hidden = n > 0;
    $("chats-count").textContent = n
      ? t("console.chats.count", { count: n, capacity: state.me.capacity }) +
        (n >= state.me.capacity ? " " + t("console.chats.full") : "")
      : "";
    updateTitle();
  }

  function updateTitle() {
    var unread = 0;
    state.chats.forEach(function (c) { unread += c.unread; });
    var parts = [];
    if (unread) parts.push("(" + unread + ")");
    parts.push(t("console.title"));
    if (state.queue.length) parts.push(t("console.title.waiting", { count: state.queue.length }));
    if (!$("console").hidden) document.title = parts.join(" ");
  }

  function select(chatId, focusReply) {
    var chat = state.chats.get(chatId);
    if (!chat) return;
    var changed = state.selected !== chatId;
    state.selected = chatId;
    session(STORE.selected, chatId);
    state.chats.forEach(function (c) {
      var on = c.id === chatId;
      c.refs.tab.setAttribute("aria-selected", on ? "true" : "false");
      c.refs.tab.tabIndex = on ? 0 : -1;
      c.refs.panel.hidden = !on;
    });
    if (changed || ui.form.parentNode !== chat.refs.composerSlot) syncControls(chat);
    if (chat.unread) {
      chat.unread = 0;
      renderTab(chat);
      updateTitle();
    }
    scrollToEnd(chat);
    refreshAgents();
    if (focusReply && !ui.reply.disabled) ui.reply.focus();
  }

  function onTabKey(event) {
    var index = state.order.indexOf(state.selected);
    var next = -1;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") next = index + 1;
    else if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = index - 1;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = state.order.length - 1;
    else return;
    event.preventDefault();
    var n = state.order.length;
    if (!n) return;
    next = (next + n) % n;
    select(state.order[next], false);
    state.chats.get(state.order[next]).refs.tab.focus();
  }

  function removeChat(chatId) {
    var chat = state.chats.get(chatId);
    if (!chat) return;
    var hadFocus = chat.refs.panel.contains(document.activeElement) ||
      chat.refs.tab === document.activeElement;
    var index = state.order.indexOf(chatId);
    window.clearTimeout(chat.typingTimer);
    if (ui.form.parentNode === chat.refs.composerSlot) {
      hideSuggestions();
      ui.form.remove();
      ui.actions.remove();
    }
    chat.refs.tab.remove();
    chat.refs.tabLanguage.remove();
    chat.refs.panel.remove();
    state.chats.delete(chatId);
    state.order.splice(index, 1);
    session(STORE.draft + chatId, null);
    saveKnown();
    if (state.selected === chatId) {
      state.selected = null;
      session(STORE.selected, null);
      var next = state.order[Math.min(index, state.order.length - 1)];
      if (next) select(next, false);
    }
    if (hadFocus) {
      if (state.selected) state.chats.get(state.selected).refs.tab.focus();
      else $("chats").focus();
    }
    renderChatsMeta();
  }

  function saveKnown() {
    session(STORE.known, JSON.stringify(state.order));
  }

  // -- messages --------------------------------------------------------------------------
  /** The sender's catalogue key, or null for an agent's own name. */
  function senderKey(m) {
    if (m.sender === "agent" && m.agent) return null;
    return "console.sender." + (["user", "bot", "agent"].indexOf(m.sender) >= 0 ? m.sender
      : "system");
  }

  function renderBody(body, m) {
    var text = typeof m.text === "string" ? m.text : "";
    if (m.sender === "user" && typeof m.title === "string" && m.title) {
      body.appendChild(el("span", { className: "msg-button", text: m.title }));
      body.appendChild(el("span", { className: "msg-payload", text: " (" + text + ")" }));
      return;
    }
    if (!text) {
      body.appendChild(el("span", { className: "msg-empty", text: t("console.msg.empty"),
                                    "data-i18n": "console.msg.empty" }));
      return;
    }
    var md = window.HelpCenterMarkdown;
    if ((m.sender === "bot" || m.sender === "agent") && md && typeof md.render === "function") {
      try {
        body.appendChild(md.render(text));
        return;
      } catch (e) { /* fall back to plain text below */ }
    }
    body.appendChild(el("p", { className: "msg-text", text: text }));
  }

  function messageNode(m, mine) {
    var kind = ["user", "bot", "agent", "system"].indexOf(m.sender) >= 0 ? m.sender : "system";
    var li = el("li", { className: "msg msg--" + kind + (mine ? " msg--mine" : "") });
    var key = senderKey(m);
    var meta = el("p", { className: "msg-meta" },
      el("span", { className: "msg-sender", text: key ? t(key) : String(m.agent),
                   "data-i18n": key }));
    var ts = Number(m.ts);
    if (ts > 0) meta.appendChild(timeNode(ts));
    li.appendChild(meta);
    var body = el("div", { className: "msg-body" });
    renderBody(body, m);
    li.appendChild(body);
    return li;
  }

  function timeNode(ts) {
    return el("time", { className: "msg-time", datetime: new Date(ts * 1000).toISOString(),
      text: clock(ts) });
  }

  function nearBottom(chat) {
    var log = chat.refs.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToEnd(chat) {
    var log = chat.refs.log;
    log.scrollTop = log.scrollHeight;
  }

  function placeMessage(chat, node, seq) {
    var list = chat.refs.list;
    var before = null;
    for (var i = 0; i < list.children.length; i++) {
      var child = list.children[i];
      var s = child.dataset.seq ? Number(child.dataset.seq) : Infinity; // pending: last
      if (s > seq) { before = child; break; }
    }
    list.insertBefore(node, before);
  }

  /** The page of messages before the oldest one shown. */
  function loadEarlier(chat) {
    var oldest = Infinity;
    chat.msgs.forEach(function (_, seq) { if (seq < oldest) oldest = seq; });
    if (!(oldest > 1) || oldest === Infinity) {
      chat.refs.earlier.hidden = true;
      return;
    }
    var button = chat.refs.earlier;
    button.disabled = true;
    button.textContent = t("console.chat.loading");
    var log = chat.refs.log;
    var fromBottom = log.scrollHeight - log.scrollTop;
    request("history", { chat_id: chat.id, before_seq: oldest }, function (ack) {
      button.disabled = false;
      button.textContent = t("console.chat.earlier");
      if (!ack.ok) {
        notice(t("console.earlier.failed", { reason: errorText(ack) }), true);
        return;
      }
      (Array.isArray(ack.messages) ? ack.messages : []).forEach(function (m) {
        addMessage(chat, m, false);
      });
      chat.earlierLoaded = true;
      button.hidden = ack.has_earlier !== true;
      log.scrollTop = log.scrollHeight - fromBottom; // keep what the agent was reading
      if (!button.hidden) button.focus();
    });
  }

  /** Adds a message once (by seq). Returns true if it was new. */
  function addMessage(chat, m, live) {
    if (!m || typeof m !== "object") return false;
    var seq = Number(m.seq);
    if (!(seq > 0) || chat.msgs.has(seq)) return false;
    var stick = nearBottom(chat);
    var mine = m.sender === "agent" && !!m.agent && m.agent === state.me.name;
    if (live && mine) {
      var pending = findPending(chat, m.text);
      if (pending) {
        confirmPending(chat, pending, seq, m.ts);
        return false;
      }
    }
    if (live && !m.ts) m.ts = Date.now() / 1000;
    var node = messageNode(m, mine);
    node.dataset.seq = String(seq);
    chat.msgs.set(seq, node);
    placeMessage(chat, node, seq);
    if (stick || chat.id !== state.selected) scrollToEnd(chat);
    return true;
  }

  function onChatMessage(data) {
    if (!data || typeof data.chat_id !== "string" || !data.message) return;
    var chat = state.chats.get(data.chat_id);
    if (!chat) return;
    var m = data.message;
    if (!addMessage(chat, m, true)) return;
    if (m.sender === "user") {
      hideTyping(chat);
      if (chat.id !== state.selected) {
        chat.unread += 1;
        renderTab(chat);
        updateTitle();
        announce(t("console.announce.message", { customer: customerName(chat) }));
      }
      if (chat.id !== state.selected || document.hidden) {
        alertAgent(t("console.alert.message", { customer: customerName(chat) }),
          String(m.title || m.text || "").slice(0, 140), true);
      }
    }
  }

  function onTyping(data) {
    if (!data || data.sender !== "user") return;
    var chat = state.chats.get(data.chat_id);
    if (!chat) return;
    chat.refs.typing.textContent = t("console.typing", { name: customerName(chat) });
    window.clearTimeout(chat.typingTimer);
    chat.typingTimer = window.setTimeout(function () { hideTyping(chat); }, TYPING_SHOW_MS);
  }

  function hideTyping(chat) {
    window.clearTimeout(chat.typingTimer);
    chat.refs.typing.textContent = "";
  }

  // -- sending ---------------------------------------------------------------------------
  function sendReply(chat) {
    hideSuggestions();
    var text = ui.reply.value;
    ui.sendError.textContent = "";
    if (chat.closed) return;
    if (!text.trim()) {
      ui.sendError.textContent = t("console.reply.empty");
      ui.reply.focus();
      return;
    }
    var pending = messageNode({ sender: "agent", agent: myName(), text: text }, true);
    pending.classList.add("msg--pending");
    pending.dataset.clientMsgId = uid("a");
    pending.dataset.text = text;
    pending.querySelector(".msg-meta").appendChild(
      el("span", { className: "msg-state", text: t("console.msg.sending"),
                   "data-i18n": "console.msg.sending" }));
    chat.refs.list.appendChild(pending);
    scrollToEnd(chat);
    ui.reply.value = "";
    session(STORE.draft + chat.id, null);
    emitMessage(chat, pending);
  }

  function myName() {
    return state.me.name || session(STORE.name) || "";
  }

  function emitMessage(chat, pending) {
    var payload = { chat_id: chat.id, text: pending.dataset.text,
      client_msg_id: pending.dataset.clientMsgId };
    request("agent_message", payload, function (ack) {
      if (!state.chats.has(chat.id)) return;
      if (ack.ok) {
        confirmPending(chat, pending, Number(ack.seq), null);
        return;
      }
      // Not stored, or no answer: send it again by itself (the same client id is
      // stored once), a few times with backoff, before asking the agent.
      var attempt = Number(pending.dataset.attempt || 0);
      if (RETRYABLE.indexOf(ack.code) >= 0 && attempt < AUTO_RETRIES) {
        pending.dataset.attempt = String(attempt + 1);
        var stateNode = pending.querySelector(".msg-state");
        if (stateNode) {
          stateNode.textContent = t("console.msg.retrying");
          stateNode.setAttribute("data-i18n", "console.msg.retrying");
        }
        window.setTimeout(function () {
          if (state.chats.has(chat.id) && pending.classList.contains("msg--pending")) {
            emitMessage(chat, pending);
          }
        }, Math.min(16000, 1000 * Math.pow(2, attempt)));
        return;
      }
      failPending(chat, pending, ack);
    });
  }

  function findPending(chat, text) {
    var nodes = chat.refs.list.querySelectorAll(".msg--pending");
    for (var i = 0; i < nodes.length; i++) {
      if (nodes[i].dataset.text === text && !nodes[i].classList.contains("msg--failed")) {
        return nodes[i];
      }
    }
    return null;
  }

  function confirmPending(chat, pending, seq, ts) {
    if (!(seq > 0)) return;
    var existing = chat.msgs.get(seq);
    if (existing && existing !== pending) {
      pending.remove(); // the echo came first and is shown already
      return;
    }
    if (!pending.classList.contains("msg--pending")) return;
    pending.classList.remove("msg--pending", "msg--failed");
    pending.dataset.seq = String(seq);
    chat.msgs.set(seq, pending);
    ["msg-state", "msg-retry"].forEach(function (cls) {
      var node = pending.querySelector("." + cls);
      if (node) node.remove();
    });
    var when = Number(ts) > 0 ? Number(ts) : Date.now() / 1000;
    pending.querySelector(".msg-meta").appendChild(timeNode(when));
    pending.remove();
    placeMessage(chat, pending, seq);
  }

  function failPending(chat, pending, ack) {
    pending.classList.add("msg--failed");
    var stateNode = pending.querySelector(".msg-state");
    var reason = errorText(ack);
    stateNode.removeAttribute("data-i18n");
    stateNode.textContent = t("console.msg.failed", { reason: reason });
    var gone = ack.code === "not_chat_owner" || ack.code === "chat_not_found";
    if (chat.id === state.selected) {
      ui.sendError.textContent = t("console.reply.notSent", { reason: reason });
    } else {
      notice(t("console.reply.notSentTo", { customer: customerName(chat), reason: reason }), true);
    }
    if (!gone && !pending.querySelector(".msg-retry")) {
      var retry = el("button", { className: "btn btn-small msg-retry", type: "button",
        text: t("console.msg.retry"), "data-i18n": "console.msg.retry" });
      retry.addEventListener("click", function () {
        pending.classList.remove("msg--failed");
        stateNode.textContent = t("console.msg.sending");
        stateNode.setAttribute("data-i18n", "console.msg.sending");
        retry.remove();
        ui.sendError.textContent = "";
        emitMessage(chat, pending);
      });
      pending.querySelector(".msg-meta").appendChild(retry);
    }
    if (gone) markGone(chat, t("console.gone"));
  }

  /** The server says the chat is not ours any more (e.g. requeued while we were away). */
  function markGone(chat, text) {
    chat.closed = true;
    chat.note = text;
    renderTab(chat);
    if (chat.id === state.selected) syncControls(chat);
  }

  function onReplyInput(chat) {
    session(STORE.draft + chat.id, ui.reply.value || null);
    ui.sendError.textContent = "";
    updateSuggestions();
    var now = Date.now();
    if (ui.reply.value && now - chat.lastTypingEmit > TYPING_EMIT_MS && state.socket &&
        state.socket.connected) {
      chat.lastTypingEmit = now;
      state.socket.emit("typing", { chat_id: chat.id }, function () { /* ack ignored */ });
    }
  }

  function onReplyKey(chat, event) {
    var open = !ui.suggest.hidden && ui.suggestions.length > 0;
    if (open) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var n = ui.suggestions.length;
        ui.active = (ui.active + (event.key === "ArrowDown" ? 1 : -1) + n) % n;
        renderSuggestions();
        return;
      }
      if ((event.key === "Tab" || event.key === "Enter") && !event.shiftKey) {
        event.preventDefault();
        insertCanned(chat, ui.suggestions[Math.max(0, ui.active)], true);
        return;
      }
      if (event.key === "Escape") {
        event.preventDefault();
        hideSuggestions();
        return;
      }
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      sendReply(chat);
    }
  }

  /** The "/shortcut" being typed right before the caret, or null. */
  function slashToken() {
    var caret = ui.reply.selectionStart;
    if (caret !== ui.reply.selectionEnd) return null;
    var match = /(^|\s)\/([a-z0-9-]{0,32})$/.exec(ui.reply.value.slice(0, caret));
    if (!match) return null;
    return { start: caret - match[2].length - 1, end: caret, prefix: match[2] };
  }

  function updateSuggestions() {
    var token = slashToken();
    var list = token ? state.me.canned.filter(function (c) {
      return c.shortcut.indexOf(token.prefix) === 0;
    }) : [];
    var previous = ui.suggestions[ui.active];
    ui.suggestions = list.slice(0, 8);
    ui.active = Math.max(0, ui.suggestions.indexOf(previous));
    if (ui.suggestions.length) renderSuggestions();
    else hideSuggestions();
  }

  function renderSuggestions() {
    clear(ui.suggest);
    ui.suggestions.forEach(function (c, i) {
      var option = el("li", {
        role: "option", id: "suggest-" + i, className: "suggest-item",
        "aria-selected": i === ui.active ? "true" : "false"
      }, el("span", { className: "suggest-shortcut", text: "/" + c.shortcut }),
      el("span", { className: "suggest-title", text: c.title || "" }));
      option.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in Reply
        withChat(function (chat) { insertCanned(chat, c, true); });
      });
      ui.suggest.appendChild(option);
    });
    ui.suggest.hidden = false;
    ui.reply.setAttribute("aria-activedescendant", "suggest-" + ui.active);
  }

  function hideSuggestions() {
    if (!ui.suggest) return;
    ui.suggestions = [];
    ui.active = -1;
    ui.suggest.hidden = true;
    clear(ui.suggest);
    ui.reply.removeAttribute("aria-activedescendant");
  }

  function fillPlaceholders(text, chat) {
    return String(text)
      .split("{agent}").join(myName() || t("console.canned.agent"))
      .split("{customer}").join(firstName(chat));
  }

  /** Put a canned reply into Reply: replacing the "/shortcut" token, or at the caret. */
  function insertCanned(chat, item, replaceToken) {
    if (!item) return;
    var reply = ui.reply;
    var text = fillPlaceholders(item.text, chat);
    var token = replaceToken ? slashToken() : null;
    var value = reply.value;
    var start = token ? token.start : reply.selectionStart;
    var end = token ? token.end : reply.selectionEnd;
    if (!token && state.replyCaret !== null) { start = end = state.replyCaret; }
    if (start > value.length) { start = end = value.length; }
    var spacer = !token && start > 0 && !/\s$/.test(value.slice(0, start)) ? " " : "";
    reply.value = value.slice(0, start) + spacer + text + value.slice(end);
    var caret = start + spacer.length + text.length;
    hideSuggestions();
    reply.focus();
    reply.setSelectionRange(caret, caret);
    session(STORE.draft + chat.id, reply.value);
  }

  function fillCannedSelect() {
    if (!ui.canned) return;
    clear(ui.canned);
    ui.canned.appendChild(el("option", { value: "", text: state.me.canned.length
      ? t("console.canned.insert") : t("console.canned.none") }));
    state.me.canned.forEach(function (c, i) {
      ui.canned.appendChild(el("option", { value: String(i),
        text: (c.title || c.shortcut) + " (/" + c.shortcut + ")" }));
    });
  }

  // -- transfer / close ------------------------------------------------------------------
  /** refreshAgents at most every 2 s, the last call always honoured. */
  function refreshAgentsSoon() {
    if (state.agentsTimer) return;
    var wait = Math.max(0, 2000 - (Date.now() - state.agentsAt));
    state.agentsTimer = window.setTimeout(function () {
      state.agentsTimer = 0;
      refreshAgents();
    }, wait);
  }

  function refreshAgents() {
    if (!state.socket || !state.socket.connected) return;
    state.agentsAt = Date.now();
    request("agents", {}, function (ack) {
      if (!ack.ok || !Array.isArray(ack.agents)) return;
      state.agents = ack.agents;
      ack.agents.forEach(function (a) {
        if (a && a.username) state.agentNames[a.username] = String(a.name || a.username);
      });
      fillTransferSelect();
    });
  }

  function fillTransferSelect() {
    var select = ui.transferTo;
    if (!select) return;
    var keep = select.value;
    var choices = state.agents.filter(function (a) {
      return a && a.username && a.username !== state.me.username && a.status === "online" &&
        Number(a.active_chats || 0) < state.me.capacity;
    });
    clear(select);
    select.appendChild(el("option", { value: "", text: choices.length
      ? t("console.transfer.choose") : t("console.transfer.nobody") }));
    choices.forEach(function (a) {
      var free = state.me.capacity - Number(a.active_chats || 0);
      select.appendChild(el("option", { value: a.username,
        text: t("console.transfer.free", { name: String(a.name || a.username), count: free }) }));
    });
    if (keep && choices.some(function (a) { return a.username === keep; })) select.value = keep;
  }

  function transferChat(chat) {
    var to = ui.transferTo.value;
    ui.actionError.textContent = "";
    if (!to) {
      ui.actionError.textContent = t("console.transfer.pick");
      ui.transferTo.focus();
      refreshAgents();
      return;
    }
    ui.transfer.disabled = true;
    request("transfer", { chat_id: chat.id, to: to }, function (ack) {
      ui.transfer.disabled = !!(current() && current().closed);
      if (ack.ok) {
        finishTransfer(chat.id, to);
        return;
      }
      if (chat.id === state.selected) {
        ui.actionError.textContent = t("console.transfer.failed", { reason: errorText(ack) });
      } else {
        notice(t("console.transfer.failedOther", { reason: errorText(ack) }), true);
      }
      refreshAgents();
    });
  }

  function finishTransfer(chatId, to) {
    var chat = state.chats.get(chatId);
    if (!chat) return;
    var name = state.agentNames[to] || to;
    notice(t("console.transfer.done", { agent: name, customer: customerName(chat) }));
    removeChat(chatId);
  }

  function closeChat(chat) {
    var resolution = ui.resolution.value || RESOLUTIONS[0];
    ui.actionError.textContent = "";
    ui.close.disabled = true;
    chat.closing = resolution; // chat_closed may come before the acknowledgement
    request("close", { chat_id: chat.id, resolution: resolution }, function (ack) {
      ui.close.disabled = !!(current() && current().closed);
      if (ack.ok) {
        finishClose(chat.id);
        ui.resolution.value = RESOLUTIONS[0];
        return;
      }
      chat.closing = "";
      if (ack.code === "not_chat_owner") {
        markGone(chat, t("console.gone"));
      } else if (chat.id === state.selected) {
        ui.actionError.textContent = t("console.close.failed", { reason: errorText(ack) });
      } else {
        notice(t("console.close.failed", { reason: errorText(ack) }), true);
      }
    });
  }

  function onChatClosed(data) {
    if (!data || typeof data.chat_id !== "string") return;
    var chat = state.chats.get(data.chat_id);
    if (!chat) return;
    if (data.transferred_to) {
      finishTransfer(data.chat_id, String(data.transferred_to));
      return;
    }
    finishClose(data.chat_id);
  }

  function finishClose(chatId) {
    var chat = state.chats.get(chatId);
    if (!chat) return;
    notice(chat.closing ? t("console.close.done", { customer: customerName(chat),
      resolution: t("console.resolution." + chat.closing) })
      : t("console.close.closed", { customer: customerName(chat) }));
    removeChat(chatId);
  }

  // -- notifications ---------------------------------------------------------------------
  function notificationsOn() {
    try {
      return window.localStorage.getItem(STORE.notify) !== "off";
    } catch (e) {
      return true;
    }
  }

  function onNotifyChange() {
    var on = $("notify").checked;
    try { window.localStorage.setItem(STORE.notify, on ? "on" : "off"); } catch (e) { /* */ }
    if (on) {
      unlockAudio();
      if ("Notification" in window && window.Notification.permission === "default") {
        try { window.Notification.requestPermission(); } catch (e) { /* old API */ }
      }
    }
  }

  /** Create/resume the AudioContext from a user gesture (browsers' autoplay rule). */
  function unlockAudio() {
    if (!notificationsOn()) return;
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    try {
      if (!state.audio) state.audio = new Ctx();
      if (state.audio.state === "suspended") state.audio.resume().catch(function () {});
    } catch (e) { state.audio = null; }
  }

  function beep() {
    var ctx = state.audio;
    if (!ctx || ctx.state !== "running") return;
    try {
      var t = ctx.currentTime;
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      osc.type = "sine";
      osc.frequency.setValueAtTime(880, t);
      osc.frequency.setValueAtTime(660, t + 0.12);
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.15, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.3);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.32);
    } catch (e) { /* no sound, no harm */ }
  }

  function alertAgent(title, body, quiet) {
    if (!notificationsOn()) return;
    if (!quiet) beep();
    if (!("Notification" in window) || window.Notification.permission !== "granted") return;
    if (!document.hidden && document.hasFocus()) return;
    try {
      var n = new window.Notification(title, { body: body, tag: "hc-agent-" + title });
      n.onclick = function () { window.focus(); n.close(); };
    } catch (e) { /* e.g. Android Chrome needs a service worker */ }
  }

  // -- start -----------------------------------------------------------------------------
  /** Each language named in itself ("English", "Русский"), as language pickers do. */
  function fillLanguageSelect() {
    var select = $("ui-language");
    clear(select);
    LANGUAGES.forEach(function (code) {
      select.appendChild(el("option", { value: code, lang: code,
        text: I18N ? I18N.t(code, "language." + code) : code }));
    });
  }

  function init() {
    buildControls();
    ui.reply.addEventListener("blur", function () {
      state.replyCaret = ui.reply.selectionStart;
    });
    ui.reply.addEventListener("focus", function () { state.replyCaret = null; });
    $("login-form").addEventListener("submit", onLoginSubmit);
    $("logout").addEventListener("click", function () { signOut(t("console.signedOut")); });
    fillLanguageSelect();
    $("ui-language").addEventListener("change", function () { setLanguage($("ui-language").value); });
    var filter = local(STORE.queueLanguage) || "";
    $("queue-language").value = LANGUAGES.indexOf(filter) >= 0 ? filter : "";
    $("queue-language").addEventListener("change", onQueueFilter);
    setLanguage(t.lang || "en");
    $("presence").addEventListener("change", function () {
      unlockAudio();
      emitPresence($("presence").value);
    });
    $("take-next").addEventListener("click", takeNext);
    $("notify").checked = notificationsOn();
    $("notify").addEventListener("change", onNotifyChange);
    document.addEventListener("pointerdown", unlockAudio, { once: true });
    document.addEventListener("keydown", unlockAudio, { once: true });
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden && state.selected) {
        var chat = state.chats.get(state.selected);
        if (chat && chat.unread) { chat.unread = 0; renderTab(chat); updateTitle(); }
      }
    });
    state.ticker = window.setInterval(tickQueue, 1000);
    renderQueue();
    renderChatsMeta();
    if (session(STORE.token)) {
      start();
      refreshToken(); // a reload: fresh token, and the clock for the next one
    } else {
      showLogin("");
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
