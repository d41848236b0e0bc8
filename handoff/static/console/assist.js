/*
 * Agent assist: beside each chat, the help center's articles that match what the
 * customer wrote (`assist_suggestions`: the bot's own search, in the chat's language,
 * made again after each customer message), best first. "Insert answer" puts the
 * article's short answer and its link into Reply, for the agent to edit: nothing goes to
 * the customer until the agent sends it.
 */
import { clear, el } from '../core/dom.js';
import { t as textIn } from '../core/i18n.js';
import { render, safeUrl } from '../core/markdown.js';
import { insertIntoReply } from './composer.js';
import { chatLanguage, t } from './language.js';
import { state } from './state.js';

/** The chat's "Suggested articles" card (for the side of its panel). */
export function buildAssist(chat, key) {
  const { refs } = chat;
  refs.assistList = el('ol', { className: 'assist-list' });
  refs.assistEmpty = el('p', {
    className: 'hint', text: t('console.assist.none'), 'data-i18n': 'console.assist.none',
  });
  chat.assist = { basedOn: -1, suggestions: [] };
  return el('section', { className: 'card assist', 'aria-labelledby': `assist-${key}` },
    el('h4', { id: `assist-${key}`, text: t('console.assist'), 'data-i18n': 'console.assist' }),
    el('p', { className: 'hint', text: t('console.assist.help'), 'data-i18n': 'console.assist.help' }),
    refs.assistEmpty, refs.assistList);
}

export function onAssistSuggestions(data) {
  if (!data || typeof data.chat_id !== 'string' || !Array.isArray(data.suggestions)) return;
  const chat = state.chats.get(data.chat_id);
  if (!chat) return;
  const basedOn = Number(data.based_on_seq) || 0;
  if (basedOn < chat.assist.basedOn) return; // an answer to an older message, come late
  chat.assist = {
    basedOn,
    suggestions: data.suggestions.filter((s) => s && typeof s.title === 'string' &&
      typeof s.answer === 'string').slice(0, 3),
  };
  renderAssist(chat);
}

export function renderAssist(chat) {
  const { refs } = chat;
  const { suggestions } = chat.assist;
  clear(refs.assistList);
  refs.assistEmpty.hidden = suggestions.length > 0;
  suggestions.forEach((s, i) => {
    const titleId = `${refs.panel.id}-assist-${i}`;
    const url = safeUrl(String(s.url || ''));
    const title = url
      ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', text: s.title, id: titleId })
      : el('span', { text: s.title, id: titleId });
    refs.assistList.appendChild(el('li', { className: 'assist-item' },
      el('p', { className: 'assist-title' }, title),
      s.heading ? el('p', { className: 'assist-heading', text: String(s.heading) }) : null,
      el('div', { className: 'assist-answer' }, render(s.answer)),
      el('button', {
        className: 'btn btn-small', type: 'button', text: t('console.assist.insert'),
        'data-i18n': 'console.assist.insert', 'aria-describedby': titleId,
        disabled: chat.closed,
        on: { click: () => insertIntoReply(chat, answerText(chat, s, url)) },
      })));
  });
}

/** The short answer and the article's link, in the chat's language (the customer's). */
function answerText(chat, suggestion, url) {
  const lang = chatLanguage(chat) || t.lang;
  const answer = String(suggestion.answer).trim();
  return url ? `${answer}\n\n${textIn(lang, 'console.assist.more', { url })}` : answer;
}
