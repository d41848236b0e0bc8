/*
 * HelpCenterMarkdown: the one safe Markdown subset renderer of the help center (used by
 * the chat widget and the agent console).
 *
 *   HelpCenterMarkdown.render(text) -> DocumentFragment
 *
 * Text never becomes HTML: the output is built with createElement/createTextNode only.
 * Supported: paragraphs (blank line) and line breaks, "- " / "* " bullet lists,
 * "1. " numbered lists, "# " headings (shown as bold paragraphs), **bold**, *italic* and
 * _italic_, `code`, [text](url) links and bare URLs. Links are made only for absolute
 * http: and https: URLs (parsed with new URL()); anything else stays plain text. Links
 * open in a new tab with rel="noopener noreferrer". A backslash escapes a markup
 * character (\* stays a literal asterisk).
 */
(function () {
  'use strict';

  var MAX_INPUT = 20000; // longer text is rendered as plain text (cheap and safe)

  function safeUrl(raw) {
    var url;
    try {
      url = new URL(raw);
    } catch (e) {
      return null;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    return url.href;
  }

  function link(doc, href, children) {
    var a = doc.createElement('a');
    a.setAttribute('href', href);
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer');
    children(a);
    return a;
  }

  // Inline patterns, tried in this order when two start at the same position. `wordStart`:
  // the match must not follow a letter or digit (snake_case_words stay as they are).
  var PATTERNS = [
    { kind: 'escape', re: /\\([\\`*_\[\]()#+\-.!>])/g },
    { kind: 'code', re: /`([^`\n]+)`/g },
    { kind: 'link', re: /\[([^\[\]\n]+)\]\(\s*([^()\s]+(?:\([^()\s]*\)[^()\s]*)*)\s*\)/g },
    { kind: 'bold', re: /\*\*(?=\S)([^\n]*?\S)\*\*/g },
    { kind: 'bold', re: /__(?=\S)([^\n]*?\S)__(?![A-Za-z0-9])/g, wordStart: true },
    { kind: 'italic', re: /\*(?=[^\s*])([^*\n]*?[^\s*])\*/g },
    { kind: 'italic', re: /_(?=[^\s_])([^_\n]*?[^\s_])_(?![A-Za-z0-9])/g, wordStart: true },
    // bare URLs: parentheses only in balanced pairs, trailing punctuation left out
    { kind: 'url', re: /\bhttps?:\/\/(?:[^\s<>"'`\[\]()]|\([^\s<>"'`\[\]()]*\))*(?:[^\s<>"'`\[\]().,;:!?]|\([^\s<>"'`\[\]()]*\))/g,
      wordStart: true }
  ];

  function firstMatch(text, from, allowLinks) {
    var best = null;
    for (var i = 0; i < PATTERNS.length; i++) {
      var p = PATTERNS[i];
      if (!allowLinks && (p.kind === 'link' || p.kind === 'url')) continue;
      p.re.lastIndex = from;
      var m;
      while ((m = p.re.exec(text))) {
        if (!p.wordStart || m.index === 0 || !/[A-Za-z0-9]/.test(text.charAt(m.index - 1))) break;
        p.re.lastIndex = m.index + 1;
      }
      if (m && (!best || m.index < best.start)) {
        best = { kind: p.kind, start: m.index, end: m.index + m[0].length, m: m };
      }
    }
    return best;
  }

  function inline(doc, parent, text, allowLinks) {
    var pos = 0;
    var buffer = '';
    function flush() {
      if (buffer) parent.appendChild(doc.createTextNode(buffer));
      buffer = '';
    }
    while (pos < text.length) {
      var hit = firstMatch(text, pos, allowLinks);
      if (!hit) break;
      buffer += text.slice(pos, hit.start);
      var m = hit.m;
      if (hit.kind === 'escape') {
        buffer += m[1];
      } else if (hit.kind === 'code') {
        flush();
        var code = doc.createElement('code');
        code.textContent = m[1];
        parent.appendChild(code);
      } else if (hit.kind === 'bold' || hit.kind === 'italic') {
        flush();
        var el = doc.createElement(hit.kind === 'bold' ? 'strong' : 'em');
        inline(doc, el, m[1], allowLinks);
        parent.appendChild(el);
      } else if (hit.kind === 'link') {
        var href = safeUrl(m[2]);
        if (href) {
          flush();
          var label = m[1];
          parent.appendChild(link(doc, href, function (a) {
            inline(doc, a, label, false);
          }));
        } else {
          buffer += text.slice(hit.start, hit.end); // not a web link: literal text
        }
      } else if (hit.kind === 'url') {
        var target = safeUrl(m[0]);
        if (target) {
          flush();
          var shown = m[0];
          parent.appendChild(link(doc, target, function (a) {
            a.textContent = shown;
          }));
        } else {
          buffer += m[0];
        }
      }
      pos = hit.end;
    }
    buffer += text.slice(pos);
    flush();
  }

  var BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
  var NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
  var HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

  function render(text) {
    var doc = document;
    var frag = doc.createDocumentFragment();
    if (text === null || text === undefined) return frag;
    text = String(text).replace(/\r\n?/g, '\n');
    if (text.length > MAX_INPUT) {
      var plain = doc.createElement('p');
      plain.textContent = text;
      frag.appendChild(plain);
      return frag;
    }
    var lines = text.split('\n');
    var paragraph = null; // lines of the open paragraph
    var list = null;      // {el, ordered}

    function closeParagraph() {
      if (!paragraph) return;
      var p = doc.createElement('p');
      for (var j = 0; j < paragraph.length; j++) {
        if (j > 0) p.appendChild(doc.createElement('br'));
        inline(doc, p, paragraph[j], true);
      }
      frag.appendChild(p);
      paragraph = null;
    }
    function closeList() {
      list = null;
    }
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (!line.trim()) {
        closeParagraph();
        closeList();
        continue;
      }
      var bullet = BULLET.exec(line);
      var numbered = bullet ? null : NUMBERED.exec(line);
      if (bullet || numbered) {
        closeParagraph();
        var ordered = !!numbered;
        if (!list || list.ordered !== ordered) {
          list = { el: doc.createElement(ordered ? 'ol' : 'ul'), ordered: ordered };
          if (ordered && numbered[1] !== '1') list.el.setAttribute('start', String(parseInt(numbered[1], 10)));
          frag.appendChild(list.el);
        }
        var li = doc.createElement('li');
        inline(doc, li, bullet ? bullet[1] : numbered[2], true);
        list.el.appendChild(li);
        continue;
      }
      if (list && /^\s{2,}\S/.test(line) && list.el.lastChild) {
        // continuation of the previous list item
        list.el.lastChild.appendChild(doc.createElement('br'));
        inline(doc, list.el.lastChild, line.trim(), true);
        continue;
      }
      closeList();
      var heading = HEADING.exec(line);
      if (heading) {
        closeParagraph();
        var h = doc.createElement('p');
        var strong = doc.createElement('strong');
        inline(doc, strong, heading[1], true);
        h.appendChild(strong);
        frag.appendChild(h);
        continue;
      }
      (paragraph = paragraph || []).push(line);
    }
    closeParagraph();
    return frag;
  }

  var api = { render: render, safeUrl: safeUrl };
  if (typeof window !== 'undefined') {
    window.HelpCenterMarkdown = window.HelpCenterMarkdown || api;
  }
})();
