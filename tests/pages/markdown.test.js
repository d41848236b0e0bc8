// core/markdown.js: the safe Markdown subset (node --test tests/pages).
import assert from 'node:assert/strict';
import test from 'node:test';

import { render, safeUrl } from '../../handoff/static/core/markdown.js';
import { fakeDocument, html } from './fake-dom.js';

const md = (text) => html(render(text, fakeDocument));

test('inline markup: bold, italic, code (whose content stays text)', () => {
  assert.equal(md('**bold** and *it* and _it2_ and `code <b>` here'),
    '<p><strong>bold</strong> and <em>it</em> and <em>it2</em> and <code>code &lt;b&gt;</code> here</p>');
  assert.equal(md('use snake_case_names here'), '<p>use snake_case_names here</p>');
  assert.equal(md('2 \\* 3'), '<p>2 * 3</p>');
});

test('HTML in the text is never markup', () => {
  assert.equal(md('<img src=x onerror=alert(1)> <svg onload=alert(1)>'),
    '<p>&lt;img src=x onerror=alert(1)&gt; &lt;svg onload=alert(1)&gt;</p>');
  assert.equal(md('**<script>alert(1)</script>**'),
    '<p><strong>&lt;script&gt;alert(1)&lt;/script&gt;</strong></p>');
  assert.equal(md('[<b>x</b>](https://example.com)'),
    '<p><a href="https://example.com/" target="_blank" rel="noopener noreferrer">&lt;b&gt;x&lt;/b&gt;</a></p>');
});

test('links only for http and https, opening apart', () => {
  assert.equal(md('See [the article](https://example.com/a?b=1) now'),
    '<p>See <a href="https://example.com/a?b=1" target="_blank" rel="noopener noreferrer">the article</a> now</p>');
  assert.equal(md('Go to http://127.0.0.1:8080/kb/en/web-tickets.'),
    '<p>Go to <a href="http://127.0.0.1:8080/kb/en/web-tickets" target="_blank" ' +
    'rel="noopener noreferrer">http://127.0.0.1:8080/kb/en/web-tickets</a>.</p>');
  const unsafe = md('[click](javascript:alert(1)) and [x](data:text/html,hi) and [y](/relative)');
  assert.ok(!unsafe.includes('<a'), unsafe);
  assert.ok(unsafe.includes('javascript:alert(1)'));
  assert.equal(safeUrl('javascript:alert(1)'), null);
  assert.equal(safeUrl('ftp://example.com/'), null);
  assert.equal(safeUrl('not a url'), null);
  assert.equal(safeUrl('HTTPS://Example.com'), 'https://example.com/');
});

test('paragraphs, line breaks, lists and headings', () => {
  assert.equal(md('Intro:\n- one\n- two\n\nAfter'),
    '<p>Intro:</p><ul><li>one</li><li>two</li></ul><p>After</p>');
  assert.equal(md('3. three\n4. four'), '<ol start="3"><li>three</li><li>four</li></ol>');
  assert.equal(md('a\r\nb'), '<p>a<br>b</p>');
  assert.equal(md('# Title'), '<p><strong>Title</strong></p>');
  assert.equal(md('- item\n  more'), '<ul><li>item<br>more</li></ul>');
});

test('nothing, or too much, is plain', () => {
  assert.equal(md(null), '');
  const long = `**${'x'.repeat(20001)}**`;
  assert.equal(md(long), `<p>${long}</p>`);
});
