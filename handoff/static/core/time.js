/*
 * Times as the pages show them, in the page's language: a message's clock time, and a
 * queue item's waiting time.
 */

/** "4:05" or "1:02:03" for a number of seconds (negative counts as 0). */
export function duration(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** The clock time of a Date in `lang` ("09:41"; Russian "09:41"; English "09:41 AM"). */
export function timeOfDay(date, lang) {
  try {
    return date.toLocaleTimeString(lang ? [lang] : [], { hour: '2-digit', minute: '2-digit' });
  } catch {
    return date.toTimeString().slice(0, 5);
  }
}

/** A Unix time (seconds) as a clock time, with the day when it is not `now`'s day
 * ("Mar 3, 09:41" / "3 мар., 09:41"); "" for an invalid time. */
export function clock(ts, lang, now = new Date()) {
  const date = new Date(ts * 1000);
  if (Number.isNaN(date.getTime())) return '';
  const options = { hour: '2-digit', minute: '2-digit' };
  if (date.toDateString() !== now.toDateString()) {
    options.month = 'short';
    options.day = 'numeric';
  }
  return date.toLocaleString([lang], options);
}
