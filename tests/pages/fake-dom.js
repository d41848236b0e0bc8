// A document just big enough for core/markdown.js under node (elements, text nodes,
// fragments, attributes), and html(node) serialising it as a browser's innerHTML does.
class Node {
  constructor(name) {
    this.nodeName = name;
    this.childNodes = [];
    this.attributes = new Map();
  }

  appendChild(child) {
    const nodes = child.nodeName === '#fragment' ? child.childNodes.splice(0) : [child];
    this.childNodes.push(...nodes);
    return child;
  }

  get lastChild() {
    return this.childNodes.at(-1) ?? null;
  }

  setAttribute(name, value) {
    this.attributes.set(name, String(value));
  }

  set textContent(text) {
    this.childNodes = [new Text(text)];
  }
}

class Text {
  constructor(text) {
    this.nodeName = '#text';
    this.data = String(text);
  }
}

export const fakeDocument = {
  createElement: (tag) => new Node(tag),
  createTextNode: (text) => new Text(text),
  createDocumentFragment: () => new Node('#fragment'),
};

const escapeText = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
const VOID = new Set(['br', 'img']);

/** The node's children as HTML (what innerHTML would say). */
export function html(node) {
  return node.childNodes.map((child) => {
    if (child.nodeName === '#text') return escapeText(child.data);
    const attrs = [...child.attributes].map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
    if (VOID.has(child.nodeName)) return `<${child.nodeName}${attrs}>`;
    return `<${child.nodeName}${attrs}>${html(child)}</${child.nodeName}>`;
  }).join('');
}
