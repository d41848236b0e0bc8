/*
 * The one safe Markdown subset renderer of the help center (the chat widget and the
 * agent console): render(text) -> DocumentFragment.
 *
 * Text never becomes HTML: the output is built with createElement/createTextNode only.
 * Supported: paragraphs (blank line) and line breaks, "- " / "* " bullet lists,
 * "1. " numbered lists, "# " headings (shown as bold paragraphs), **bold**, *italic* and
 * _italic_, `code`, [text](url) links and bare URLs. Links are made only for absolute
 * http: and https: URLs (parsed with new URL()); anything else stays plain text. Links
 * open in a new tab with rel="noopener noreferrer". A backslash escapes a markup
 * character (\* stays a literal asterisk).
 */

const MAX_INPUT = 20000; // longer text is rendered as plain text (cheap and safe)

/** The URL as an absolute http(s) href, else null. */
export function safeUrl(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
}

function link(doc, href, fill) {
  const a = doc.createElement('a');
  a.setAttribute('href', href);
  a.setAttribute('target', '_blank');
  a.setAttribute('rel', 'noopener noreferrer');
  fill(a);
  return a;
}

// Inline patterns, tried in this order when two start at the same position. `wordStart`:
// the match must not follow a letter or digit (snake_case_words stay as they are).
const PATTERNS = [
  { kind: 'escape', re: /\\([\\`*_[\]()#+\-.!>])/g },
  { kind: 'code', re: /`([^`\n]+)`/g },
  { kind: 'link', re: /\[([^[\]\n]+)\]\(\s*([^()\s]+(?:\([^()\s]*\)[^()\s]*)*)\s*\)/g },
  { kind: 'bold', re: /\*\*(?=\S)([^\n]*?\S)\*\*/g },
  { kind: 'bold', re: /__(?=\S)([^\n]*?\S)__(?![A-Za-z0-9])/g, wordStart: true },
  { kind: 'italic', re: /\*(?=[^\s*])([^*\n]*?[^\s*])\*/g },
  { kind: 'italic', re: /_(?=[^\s_])([^_\n]*?[^\s_])_(?![A-Za-z0-9])/g, wordStart: true },
  // bare URLs: parentheses only in balanced pairs, trailing punctuation left out
  {
    kind: 'url',
    re: /\bhttps?:\/\/(?:[^\s<>"'`[\]()]|\([^\s<>"'`[\]()]*\))*(?:[^\s<>"'`[\]().,;:!?]|\([^\s<>"'`[\]()]*\))/g,
    wordStart: true,
  },
];

function firstMatch(text, from, allowLinks) {
  let best = null;
  for (const pattern of PATTERNS) {
    if (!allowLinks && (pattern.kind === 'link' || pattern.kind === 'url')) continue;
    pattern.re.lastIndex = from;
    let m;
    while ((m = pattern.re.exec(text))) {
      if (!pattern.wordStart || m.index === 0 || !/[A-Za-z0-9]/.test(text.charAt(m.index - 1))) break;
      pattern.re.lastIndex = m.index + 1;
    }
    if (m && (!best || m.index < best.start)) {
      best = { kind: pattern.kind, start: m.index, end: m.index + m[0].length, m };
    }
  }
  return best;
}

function inline(doc, parent, text, allowLinks) {
  let pos = 0;
  let buffer = '';
  const flush = () => {
    if (buffer) parent.appendChild(doc.createTextNode(buffer));
    buffer = '';
  };
  while (pos < text.length) {
    const hit = firstMatch(text, pos, allowLinks);
    if (!hit) break;
    buffer += text.slice(pos, hit.start);
    const { m } = hit;
    if (hit.kind === 'escape') {
      buffer += m[1];
    } else if (hit.kind === 'code') {
      flush();
      const code = doc.createElement('code');
      code.textContent = m[1];
      parent.appendChild(code);
    } else if (hit.kind === 'bold' || hit.kind === 'italic') {
      flush();
      const node = doc.createElement(hit.kind === 'bold' ? 'strong' : 'em');
      inline(doc, node, m[1], allowLinks);
      parent.appendChild(node);
    } else if (hit.kind === 'link') {
      const href = safeUrl(m[2]);
      if (href) {
        flush();
        parent.appendChild(link(doc, href, (a) => inline(doc, a, m[1], false)));
      } else {
        buffer += text.slice(hit.start, hit.end); // not a web link: literal text
      }
    } else if (hit.kind === 'url') {
      const target = safeUrl(m[0]);
      if (target) {
        flush();
        parent.appendChild(link(doc, target, (a) => { a.textContent = m[0]; }));
      } else {
        buffer += m[0];
      }
    }
    pos = hit.end;
  }
  buffer += text.slice(pos);
  flush();
}

const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;

/** `text` as DOM nodes of the safe subset (`doc`: the document to build them with). */
export function render(text, doc = globalThis.document) {
  const frag = doc.createDocumentFragment();
  if (text === null || text === undefined) return frag;
  const source = String(text).replace(/\r\n?/g, '\n');
  if (source.length > MAX_INPUT) {
    const plain = doc.createElement('p');
    plain.textContent = source;
    frag.appendChild(plain);
    return frag;
  }
  let paragraph = null; // lines of the open paragraph
  let list = null; // {el, ordered}
  const closeParagraph = () => {
    if (!paragraph) return;
    const p = doc.createElement('p');
    paragraph.forEach((line, j) => {
      if (j > 0) p.appendChild(doc.createElement('br'));
      inline(doc, p, line, true);
    });
    frag.appendChild(p);
    paragraph = null;
  };
  for (const line of source.split('\n')) {
    if (!line.trim()) {
      closeParagraph();
      list = null;
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      closeParagraph();
      const ordered = Boolean(numbered);
      if (!list || list.ordered !== ordered) {
        list = { el: doc.createElement(ordered ? 'ol' : 'ul'), ordered };
        if (ordered && numbered[1] !== '1') {
          list.el.setAttribute('start', String(parseInt(numbered[1], 10)));
        }
        frag.appendChild(list.el);
      }
      const li = doc.createElement('li');
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
    list = null;
    const heading = HEADING.exec(line);
    if (heading) {
      closeParagraph();
      const p = doc.createElement('p');
      const strong = doc.createElement('strong');
      inline(doc, strong, heading[1], true);
      p.appendChild(strong);
      frag.appendChild(p);
      continue;
    }
    (paragraph ??= []).push(line);
  }
  closeParagraph();
  return frag;
}
