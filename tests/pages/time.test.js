// core/time.js: times in English and Russian (node --test tests/pages).
import assert from 'node:assert/strict';
import test from 'node:test';

import { clock, duration, timeOfDay } from '../../handoff/static/core/time.js';

test('waiting times', () => {
  assert.equal(duration(0), '0:00');
  assert.equal(duration(65.9), '1:05');
  assert.equal(duration(3723), '1:02:03');
  assert.equal(duration(-5), '0:00');
});

test('clock times in both languages', () => {
  const date = new Date(2024, 2, 3, 9, 41);
  assert.equal(timeOfDay(date, 'ru'), '09:41');
  assert.equal(timeOfDay(date, 'en'), '09:41 AM');
  const afternoon = new Date(2024, 2, 3, 14, 5);
  assert.equal(timeOfDay(afternoon, 'ru'), '14:05');
  assert.equal(timeOfDay(afternoon, 'en'), '02:05 PM');
});

test("a message's time: the day too when it is not today's", () => {
  const ts = new Date(2024, 2, 3, 14, 5).getTime() / 1000;
  const sameDay = new Date(2024, 2, 3, 23, 0);
  assert.equal(clock(ts, 'ru', sameDay), '14:05');
  assert.equal(clock(ts, 'en', sameDay), '02:05 PM');
  const later = new Date(2024, 2, 10, 8, 0);
  assert.equal(clock(ts, 'en', later), 'Mar 3, 02:05 PM');
  assert.match(clock(ts, 'ru', later), /^3 мар\.?, 14:05$/);
  assert.equal(clock(Number.NaN, 'en'), '');
});
