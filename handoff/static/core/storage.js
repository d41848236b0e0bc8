/*
 * localStorage and sessionStorage that never throw: with storage disabled (private
 * mode, a full quota) the pages still work, only without remembering.
 */

function access(area, key, value) {
  try {
    const store = globalThis[area];
    if (value === undefined) return store.getItem(key);
    if (value === null) store.removeItem(key);
    else store.setItem(key, value);
  } catch {
    /* storage disabled: the choice lasts for this page */
  }
  return null;
}

/** local(key) reads; local(key, value) writes; local(key, null) removes. */
export const local = (key, value) => access('localStorage', key, value);

/** The same in sessionStorage (this tab only). */
export const session = (key, value) => access('sessionStorage', key, value);

/** The object stored as JSON under `key` in localStorage ({} if none or unreadable). */
export function readJson(key) {
  try {
    const parsed = JSON.parse(local(key) ?? '{}');
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

export const writeJson = (key, value) => local(key, JSON.stringify(value));
