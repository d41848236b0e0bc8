/*
 * Building the pages' DOM without HTML: every node comes from createElement and every
 * text from textContent, so nothing from the network or the user is ever parsed as markup.
 */

const SVG = 'http://www.w3.org/2000/svg';

/**
 * el('button', {className: 'btn', type: 'button', text: 'Send', on: {click}}, ...children)
 * props: `text` (textContent), `className`, `hidden`, `on` (event listeners); any other
 * key is an attribute (true: present, empty; null, undefined, false: left out). Children
 * are nodes or strings (text nodes).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'className') node.className = value;
    else if (key === 'hidden') node.hidden = true;
    else if (key === 'on') {
      for (const [event, listener] of Object.entries(value)) node.addEventListener(event, listener);
    } else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** An inline SVG icon of `paths` (hidden from assistive technology). */
export function icon(paths) {
  const svg = document.createElementNS(SVG, 'svg');
  const attributes = {
    viewBox: '0 0 24 24', width: '20', height: '20', 'aria-hidden': 'true',
    focusable: 'false', class: 'hc-icon',
  };
  for (const [name, value] of Object.entries(attributes)) svg.setAttribute(name, value);
  for (const d of paths) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.appendChild(path);
  }
  return svg;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
}

export const byId = (id) => document.getElementById(id);

/** Every element under `root` matching `selector`, as an array. */
export const all = (root, selector) => Array.from(root.querySelectorAll(selector));

/** Resolves once the document is parsed. */
export function domReady() {
  return new Promise((resolve) => {
    if (document.readyState !== 'loading') resolve();
    else document.addEventListener('DOMContentLoaded', () => resolve(), { once: true });
  });
}

/** Adds a stylesheet; resolves true once loaded, false on an error or after 5 s. */
export function loadCss(href) {
  return new Promise((resolve) => {
    const link = el('link', { rel: 'stylesheet', href });
    link.onload = () => resolve(true);
    link.onerror = () => resolve(false);
    (document.head ?? document.documentElement).appendChild(link);
    setTimeout(() => resolve(false), 5000);
  });
}

/** Adds a classic script (the vendored socket.io client); resolves true once it ran. */
export function loadScript(src) {
  return new Promise((resolve) => {
    const script = el('script', { src });
    script.async = true;
    script.onload = () => resolve(true);
    script.onerror = () => resolve(false);
    (document.head ?? document.documentElement).appendChild(script);
  });
}
