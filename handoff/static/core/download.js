/*
 * Saving what a page fetched as a file the person keeps: the widget's copy of a finished
 * chat, the console's CSAT export. A Blob and an object URL, so nothing secret (a token)
 * ever goes into a URL, and nothing is parsed as markup.
 */
import { el } from './dom.js';

/** Offers `blob` as a download named `filename` (the browser's own download flow). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el('a', { href: url, download: filename || 'download', hidden: true });
  (document.body ?? document.documentElement).appendChild(link);
  link.click();
  link.remove();
  // the download has started by then; the URL is released so the Blob can go
  setTimeout(() => URL.revokeObjectURL(url), 30000);
}

/** The file name of a `Content-Disposition: attachment; filename="…"` header, or "". */
export function attachmentName(header) {
  const match = /filename="?([^";]+)"?/i.exec(String(header ?? ''));
  return match ? match[1].replace(/[\\/]/g, '_') : '';
}
