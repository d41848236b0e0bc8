/*
 * Message catalogues of the chat widget and the agent console: every text the two pages
 * show themselves (labels, buttons, statuses, notices, errors, aria-labels, placeholders),
 * in English and Russian, with the same keys in both (checked by
 * tests/e2e/browser/i18n.test.js). What the bot, the gateway and the agents write comes
 * from them, in the chat's language; these are only the pages' own words.
 *
 * A plain script, so the widget can load it from the gateway on any help-center page
 * (like markdown.js) and the console with a <script> tag under `script-src 'self'`; in
 * Node (the catalogue test) it is a CommonJS module. It defines window.HelpCenterI18n:
 *
 *   var t = HelpCenterI18n.translator('ru');
 *   t('widget.send')                          -> "Отправить"
 *   t('widget.queue.wait', {count: 5})        -> "Примерное время ожидания: 5 минут."
 *   HelpCenterI18n.supported('ru-RU')         -> "ru"   (null for unsupported codes)
 *
 * A value is a string with {placeholders}, or, for a number, an object with one entry per
 * plural category of the language (Intl.PluralRules: English one/other, Russian
 * one/few/many/other: 1 минута, 2 минуты, 5 минут, 1,5 минуты), chosen by `count`.
 */
(function (root, factory) {
  'use strict';
  var api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.HelpCenterI18n = api;
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  var SUPPORTED = ['en', 'ru'];
  var DEFAULT = 'en';

  var MESSAGES = {
    en: {
      // -- languages (each catalogue names both; a picker shows each in its own language)
      'language.en': 'English',
      'language.ru': 'Russian',
      'language.code.en': 'EN',
      'language.code.ru': 'RU',

      // -- plans, roles and priorities as the guidelines name them
      'plan.basic': 'Basic',
      'plan.pro': 'Pro',
      'plan.business': 'Business',
      'plan.education': 'Education',
      'plan.enterprise': 'Enterprise',
      'plan.api': 'API',
      'role.owner': 'Owner',
      'role.admin': 'Admin',
      'role.member': 'Member',
      'priority.P1': 'Urgent',
      'priority.P2': 'High',
      'priority.P3': 'Normal',
      'priority.P4': 'Low',

      // -- the chat widget
      'widget.title': 'Help Center',
      'widget.launcher': 'Open chat',
      'widget.launcher.unread': {
        one: 'Open chat, {count} unread',
        other: 'Open chat, {count} unread'
      },
      'widget.region': 'Support chat',
      'widget.subtitle.start': 'Ask us anything',
      'widget.subtitle.bot': 'Our assistant answers right away',
      'widget.subtitle.queued': 'In the queue for a person',
      'widget.subtitle.agent': 'A person from our support team',
      'widget.new': 'New conversation',
      'widget.close': 'Close chat',
      'widget.confirm.text': 'Start a new conversation? This one will be closed.',
      'widget.confirm.yes': 'Start over',
      'widget.confirm.no': 'Keep chatting',
      'widget.leave': 'Leave queue',
      'widget.intro.title': 'Hi there! How can we help?',
      'widget.intro.text': 'Ask a question and our assistant answers right away. You can ask ' +
        'for a person at any time.',
      'widget.log': 'Conversation',
      // the gateway knows this title too (handoff/texts.py "talk_to_person")
      'widget.human': 'Talk to a person',
      'widget.message': 'Message',
      'widget.placeholder': 'Write a message…',
      'widget.send': 'Send',
      'widget.suggested': 'Suggested replies',
      'widget.sender.you': 'You',
      'widget.sender.bot': 'Assistant',
      'widget.sender.system': 'Support',
      'widget.sender.agent': 'Support agent',
      'widget.image': 'Image from {name}',
      'widget.typing.bot': 'Assistant is typing…',
      'widget.typing.agent': '{name} is typing…',
      'widget.queue.waiting': 'Waiting for a specialist.',
      'widget.queue.next': 'You’re next in line.',
      'widget.queue.position': 'You’re number {position} in line.',
      'widget.queue.nobody': 'No specialist is online right now — you keep your place.',
      'widget.queue.wait': {
        one: 'Estimated wait: about {count} minute.',
        other: 'Estimated wait: about {count} minutes.'
      },
      'widget.agent.named': 'Chatting with {name}',
      'widget.agent.unnamed': 'Chatting with a support specialist',
      'widget.rate.legend': 'Rate this conversation',
      'widget.rate.1': 'Poor',
      'widget.rate.2': 'Fair',
      'widget.rate.3': 'Okay',
      'widget.rate.4': 'Good',
      'widget.rate.5': 'Excellent',
      'widget.rate.option': '{rating} - {name}',
      'widget.rate.comment': 'Comment (optional)',
      'widget.rate.submit': 'Submit rating',
      'widget.rate.choose': 'Choose a rating from 1 to 5.',
      'widget.rate.failed': 'Your rating could not be saved.',
      'widget.rate.thanks': 'Rating sent. Thank you!',
      'widget.conn.connecting': 'Connecting…',
      'widget.conn.reconnecting': 'Reconnecting…',
      'widget.conn.unavailable': 'Chat is unavailable right now. Please try again later.',
      'widget.conn.refused': 'This website isn’t allowed to connect to the support chat ' +
        '(connection refused). Please contact us another way.',
      'widget.conn.refusedRetrying': 'Can’t connect to the support chat from this website ' +
        '(connection refused). Still trying…',
      'widget.conn.storeDown': 'Can’t reach the chat service right now. Retrying…',
      'widget.notConnected': 'Not connected. Try again in a moment.',
      'widget.historyLost': 'Earlier messages of this conversation are no longer available.',
      'widget.state.sending': 'Sending…',
      'widget.state.waiting': 'Waiting for connection…',
      'widget.state.retrying': 'Not sent yet. Retrying…',
      'widget.state.failed': 'Not sent: {reason}',
      'widget.reason.too_large': 'the message is too long',
      'widget.reason.refused': 'the message was refused',
      'widget.error.rate_limited': 'You’re sending messages too fast. Wait a moment; we’ll retry.',
      'widget.error.too_large': 'That message is too long.',
      'widget.error.unavailable': 'The chat service is briefly unavailable. Your message will ' +
        'be sent again.',
      'widget.error.busy': 'The assistant is very busy right now. Your message will be sent ' +
        'again in a moment.',
      'widget.error.internal': 'Something went wrong. Your message will be sent again.',
      'widget.error.chat_not_found': 'This conversation could not be found.',
      'widget.error.illegal_transition': 'That can’t be done in this conversation right now.',
      'widget.error.generic': 'Something went wrong.',

      // -- the agent console
      'console.title': 'Agent console',
      'console.title.signIn': 'Sign in - Agent console',
      'console.title.waiting': '- {count} waiting',
      'console.skip': 'Skip to my chats',
      'console.login.intro': 'Sign in to answer customers handed over by the assistant.',
      'console.username': 'Username',
      'console.password': 'Password',
      'console.signIn': 'Sign in',
      'console.signingIn': 'Signing in…',
      'console.signedInAs': 'Signed in as',
      'console.login.missing': 'Enter your username and password.',
      'console.login.wrong': 'Wrong username or password.',
      'console.login.throttled': 'Too many failed sign-ins. Try again in {wait}.',
      'console.login.failed': 'Sign-in failed (HTTP {status}). Please try again.',
      'console.login.unreachable': 'Cannot reach the server. Check your connection and try again.',
      'console.wait.while': 'a while',
      'console.wait.minute': 'a minute',
      'console.wait.minutes': {
        one: '{count} minute',
        other: '{count} minutes'
      },
      'console.session.ended': 'Your session has ended. Please sign in again.',
      'console.signedOut': 'You are signed out.',
      'console.language': 'Language',
      'console.status': 'Status',
      'console.status.online': 'Online',
      'console.status.away': 'Away',
      'console.notifications': 'Notifications',
      'console.logout': 'Log out',
      'console.conn.connecting': 'Connecting…',
      'console.conn.reconnecting': 'Reconnecting…',
      'console.conn.disconnected': 'Disconnected',
      'console.conn.noClient': 'The chat client did not load (socket.io). Reload the page.',
      'console.conn.origin': 'The gateway refused this page\'s origin.',
      'console.dismiss': 'Dismiss',
      'console.dismissNotice': 'Dismiss: {text}',
      'console.queue': 'Queue',
      'console.queue.list': 'Waiting chats',
      'console.queue.empty': 'No customers are waiting.',
      'console.queue.count': {
        one: '{count} waiting',
        other: '{count} waiting'
      },
      'console.queue.shown': '{count} shown',
      'console.queue.atCapacity': 'you\'re at capacity',
      'console.queue.filter': 'Customer language',
      'console.queue.filter.all': 'All languages',
      'console.queue.filter.hint': 'The filter changes only this list: Take next still takes ' +
        'the first chat of the whole queue.',
      'console.queue.filter.empty.en': 'No customers writing in English are waiting.',
      'console.queue.filter.empty.ru': 'No customers writing in Russian are waiting.',
      'console.takeNext': 'Take next',
      'console.accept': 'Accept',
      'console.row.plan': 'Plan: {plan}',
      'console.row.noPlan': 'Plan: none',
      'console.row.role': 'Role: {role}',
      'console.row.visitor': 'Role: visitor',
      'console.row.noSummary': 'No summary.',
      'console.row.waiting': 'Waiting {time}',
      'console.row.overdue': 'Overdue by {time}',
      'console.row.due': 'Respond within {time}',
      'console.chats': 'My chats',
      'console.chats.empty': 'No chats assigned to you. Accept one from the queue, or press ' +
        'Take next.',
      'console.chats.count': '{count} of {capacity}',
      'console.chats.full': '(at capacity)',
      'console.tab.unread': {
        one: '({count} unread)',
        other: '({count} unread)'
      },
      'console.chat.details': 'Chat details',
      'console.chat.customer': 'Customer',
      'console.chat.triage': 'Triage',
      'console.chat.id': 'Chat ID {id}',
      'console.chat.language': 'Language',
      'console.chat.noPriority': 'No priority',
      'console.chat.online': 'Online',
      'console.chat.left': 'Left the chat',
      'console.chat.transcript': 'Transcript',
      'console.chat.earlier': 'Load earlier messages',
      'console.chat.loading': 'Loading…',
      'console.card.name': 'Name',
      'console.card.userId': 'User ID',
      'console.card.accountId': 'Account ID',
      'console.card.plan': 'Plan',
      'console.card.role': 'Role',
      'console.card.licensed': 'Licensed',
      'console.card.yes': 'Yes',
      'console.card.no': 'No',
      'console.card.anonymous': 'Anonymous visitor (not signed in).',
      'console.card.priority': 'Priority',
      'console.card.summary': 'Summary',
      'console.card.notGiven': 'Not given',
      'console.triage.problem': 'Problem',
      'console.triage.impact': 'Impact',
      'console.triage.workaround': 'Workaround',
      'console.triage.meeting_id': 'Meeting ID',
      'console.triage.down': 'Service down or critically degraded',
      'console.triage.many': 'Many people affected',
      'console.triage.few': 'One or a few people affected',
      'console.triage.question': 'Question or request',
      'console.triage.none': 'None',
      'console.triage.partial': 'Partial',
      'console.triage.full': 'Working workaround',
      'console.visitor': 'Visitor',
      'console.sender.user': 'Customer',
      'console.sender.bot': 'Assistant',
      'console.sender.agent': 'Agent',
      'console.sender.system': 'System',
      'console.msg.empty': '(no text)',
      'console.msg.sending': 'Sending…',
      'console.msg.retrying': 'Not sent yet. Retrying…',
      'console.msg.failed': 'Not sent: {reason}',
      'console.msg.retry': 'Retry',
      'console.typing': '{name} is typing…',
      'console.reply': 'Reply',
      'console.reply.help': 'Enter sends, Shift+Enter adds a line. Type / and a shortcut, then ' +
        'Tab, for a canned reply.',
      'console.reply.empty': 'Write a reply first.',
      'console.reply.notSent': 'Your message was not sent: {reason}.',
      'console.reply.notSentTo': 'A message to {customer} was not sent: {reason}.',
      'console.send': 'Send',
      'console.canned': 'Canned reply',
      'console.canned.list': 'Canned replies',
      'console.canned.insert': 'Insert…',
      'console.canned.none': 'None available',
      'console.canned.agent': 'your support agent',
      'console.canned.customer': 'there',
      'console.actions': 'Chat actions',
      'console.transferTo': 'Transfer to',
      'console.transfer': 'Transfer',
      'console.transfer.choose': 'Choose an agent…',
      'console.transfer.nobody': 'No one available',
      'console.transfer.free': '{name} ({count} free)',
      'console.transfer.pick': 'Choose an agent to transfer the chat to.',
      'console.transfer.failed': 'Could not transfer: {reason}.',
      'console.transfer.failedOther': 'Could not transfer the chat: {reason}.',
      'console.transfer.done': 'Transferred to {agent}: the chat with {customer}.',
      'console.resolution': 'Resolution',
      'console.resolution.Resolved': 'Resolved',
      'console.resolution.Not resolved': 'Not resolved',
      'console.resolution.Follow-up by ticket': 'Follow-up by ticket',
      'console.resolution.Duplicate or spam': 'Duplicate or spam',
      'console.close': 'Close chat',
      'console.close.failed': 'Could not close the chat: {reason}.',
      'console.close.done': 'Closed the chat with {customer} ({resolution}).',
      'console.close.closed': 'The chat with {customer} was closed.',
      'console.gone': 'This chat is no longer assigned to you.',
      'console.requeued': 'The chat with {customer} went back to the queue while you were away.',
      'console.accept.failed': 'Could not accept the chat: {reason}',
      'console.takeNext.failed': 'Could not take the next chat: {reason}',
      'console.status.failed': 'Could not change your status: {reason}',
      'console.earlier.failed': 'Could not load earlier messages: {reason}.',
      'console.alert.waiting': 'New chat waiting',
      'console.alert.assigned': 'Chat assigned to you',
      'console.alert.message': 'Message from {customer}',
      'console.announce.assigned': 'New chat assigned to you: {customer}',
      'console.announce.message': 'New message from {customer}',
      'console.reason.offline': 'not connected',
      'console.reason.timeout': 'no answer from the server',
      'console.reason.not_chat_owner': 'the chat is not assigned to you',
      'console.reason.chat_not_found': 'the chat no longer exists',
      'console.reason.illegal_transition': 'the chat has moved on meanwhile',
      'console.reason.rate_limited': 'too many requests; wait a moment',
      'console.reason.refused': 'refused by the server',
      'console.reason.bad_request': 'the request was not valid',
      'console.reason.too_large': 'the message is too long',
      'console.reason.unavailable': 'the server cannot store it right now',
      'console.reason.internal': 'something went wrong on the server',
      'console.reason.unknown': 'unknown error'
    },

    ru: {
      'language.en': 'Английский',
      'language.ru': 'Русский',
      'language.code.en': 'EN',
      'language.code.ru': 'RU',

      'plan.basic': '«Базовый»',
      'plan.pro': '«Профессиональный»',
      'plan.business': '«Бизнес»',
      'plan.education': '«Образование»',
      'plan.enterprise': '«Предприятие»',
      'plan.api': 'API',
      'role.owner': 'Владелец',
      'role.admin': 'Администратор',
      'role.member': 'Участник',
      'priority.P1': 'Срочный',
      'priority.P2': 'Высокий',
      'priority.P3': 'Нормальный',
      'priority.P4': 'Низкий',

      'widget.title': 'Справка и поддержка',
      'widget.launcher': 'Открыть чат',
      'widget.launcher.unread': {
        one: 'Открыть чат, {count} непрочитанное сообщение',
        few: 'Открыть чат, {count} непрочитанных сообщения',
        many: 'Открыть чат, {count} непрочитанных сообщений',
        other: 'Открыть чат, {count} непрочитанного сообщения'
      },
      'widget.region': 'Чат поддержки',
      'widget.subtitle.start': 'Спросите нас о чём угодно',
      'widget.subtitle.bot': 'Ассистент отвечает сразу',
      'widget.subtitle.queued': 'В очереди к специалисту',
      'widget.subtitle.agent': 'Специалист группы поддержки',
      'widget.new': 'Новый разговор',
      'widget.close': 'Свернуть чат',
      'widget.confirm.text': 'Начать новый разговор? Этот будет закрыт.',
      'widget.confirm.yes': 'Начать заново',
      'widget.confirm.no': 'Продолжить разговор',
      'widget.leave': 'Выйти из очереди',
      'widget.intro.title': 'Здравствуйте! Чем можем помочь?',
      'widget.intro.text': 'Задайте вопрос — ассистент ответит сразу. Попросить соединить ' +
        'вас со специалистом можно в любой момент.',
      'widget.log': 'Разговор',
      'widget.human': 'Связаться со специалистом',
      'widget.message': 'Сообщение',
      'widget.placeholder': 'Ваше сообщение…',
      'widget.send': 'Отправить',
      'widget.suggested': 'Варианты ответа',
      'widget.sender.you': 'Вы',
      'widget.sender.bot': 'Ассистент',
      'widget.sender.system': 'Поддержка',
      'widget.sender.agent': 'Специалист поддержки',
      'widget.image': 'Изображение ({name})',
      'widget.typing.bot': 'Ассистент печатает…',
      'widget.typing.agent': '{name} печатает…',
      'widget.queue.waiting': 'Ожидаем свободного специалиста.',
      'widget.queue.next': 'Ваше место в очереди — первое.',
      'widget.queue.position': 'Ваше место в очереди: {position}.',
      'widget.queue.nobody': 'Сейчас нет специалистов в сети — ваше место в очереди ' +
        'сохраняется.',
      'widget.queue.wait': {
        one: 'Примерное время ожидания: {count} минута.',
        few: 'Примерное время ожидания: {count} минуты.',
        many: 'Примерное время ожидания: {count} минут.',
        other: 'Примерное время ожидания: {count} минуты.'
      },
      'widget.agent.named': 'Вас консультирует {name}',
      'widget.agent.unnamed': 'Вас консультирует специалист поддержки',
      'widget.rate.legend': 'Оцените этот разговор',
      'widget.rate.1': 'Плохо',
      'widget.rate.2': 'Посредственно',
      'widget.rate.3': 'Нормально',
      'widget.rate.4': 'Хорошо',
      'widget.rate.5': 'Отлично',
      'widget.rate.option': '{rating} — {name}',
      'widget.rate.comment': 'Комментарий (необязательно)',
      'widget.rate.submit': 'Отправить оценку',
      'widget.rate.choose': 'Выберите оценку от 1 до 5.',
      'widget.rate.failed': 'Не удалось сохранить оценку.',
      'widget.rate.thanks': 'Оценка отправлена. Спасибо!',
      'widget.conn.connecting': 'Подключение…',
      'widget.conn.reconnecting': 'Переподключение…',
      'widget.conn.unavailable': 'Чат сейчас недоступен. Пожалуйста, попробуйте позже.',
      'widget.conn.refused': 'Этому сайту не разрешено подключаться к чату поддержки ' +
        '(соединение отклонено). Пожалуйста, свяжитесь с нами другим способом.',
      'widget.conn.refusedRetrying': 'С этого сайта не удаётся подключиться к чату поддержки ' +
        '(соединение отклонено). Продолжаем попытки…',
      'widget.conn.storeDown': 'Сервис чата сейчас недоступен. Пробуем снова…',
      'widget.notConnected': 'Нет соединения. Попробуйте ещё раз чуть позже.',
      'widget.historyLost': 'Более ранние сообщения этого разговора больше недоступны.',
      'widget.state.sending': 'Отправка…',
      'widget.state.waiting': 'Ожидание соединения…',
      'widget.state.retrying': 'Ещё не отправлено. Пробуем снова…',
      'widget.state.failed': 'Не отправлено: {reason}',
      'widget.reason.too_large': 'сообщение слишком длинное',
      'widget.reason.refused': 'сообщение отклонено',
      'widget.error.rate_limited': 'Вы отправляете сообщения слишком часто. Подождите немного — ' +
        'мы отправим их снова.',
      'widget.error.too_large': 'Сообщение слишком длинное.',
      'widget.error.unavailable': 'Сервис чата ненадолго недоступен. Сообщение будет ' +
        'отправлено ещё раз.',
      'widget.error.busy': 'Ассистент сейчас очень занят. Сообщение будет отправлено ещё раз ' +
        'через несколько секунд.',
      'widget.error.internal': 'Что-то пошло не так. Сообщение будет отправлено ещё раз.',
      'widget.error.chat_not_found': 'Этот разговор не найден.',
      'widget.error.illegal_transition': 'Сейчас это действие в разговоре недоступно.',
      'widget.error.generic': 'Что-то пошло не так.',

      'console.title': 'Консоль специалиста',
      'console.title.signIn': 'Вход — Консоль специалиста',
      'console.title.waiting': '— в очереди: {count}',
      'console.skip': 'Перейти к моим чатам',
      'console.login.intro': 'Войдите, чтобы отвечать клиентам, которых передал ассистент.',
      'console.username': 'Имя пользователя',
      'console.password': 'Пароль',
      'console.signIn': 'Войти',
      'console.signingIn': 'Вход…',
      'console.signedInAs': 'Вы вошли как',
      'console.login.missing': 'Введите имя пользователя и пароль.',
      'console.login.wrong': 'Неверное имя пользователя или пароль.',
      'console.login.throttled': 'Слишком много неудачных попыток входа. Попробуйте снова ' +
        'через {wait}.',
      'console.login.failed': 'Не удалось войти (HTTP {status}). Попробуйте ещё раз.',
      'console.login.unreachable': 'Сервер недоступен. Проверьте подключение и попробуйте ' +
        'ещё раз.',
      'console.wait.while': 'некоторое время',
      'console.wait.minute': 'минуту',
      'console.wait.minutes': {
        one: '{count} минуту',
        few: '{count} минуты',
        many: '{count} минут',
        other: '{count} минуты'
      },
      'console.session.ended': 'Сеанс завершён. Пожалуйста, войдите снова.',
      'console.signedOut': 'Вы вышли из системы.',
      'console.language': 'Язык',
      'console.status': 'Статус',
      'console.status.online': 'В сети',
      'console.status.away': 'Нет на месте',
      'console.notifications': 'Уведомления',
      'console.logout': 'Выйти',
      'console.conn.connecting': 'Подключение…',
      'console.conn.reconnecting': 'Переподключение…',
      'console.conn.disconnected': 'Нет соединения',
      'console.conn.noClient': 'Не загрузился клиент чата (socket.io). Перезагрузите страницу.',
      'console.conn.origin': 'Шлюз отклонил источник (origin) этой страницы.',
      'console.dismiss': 'Скрыть',
      'console.dismissNotice': 'Скрыть: {text}',
      'console.queue': 'Очередь',
      'console.queue.list': 'Ожидающие чаты',
      'console.queue.empty': 'Нет ожидающих клиентов.',
      'console.queue.count': {
        one: '{count} клиент ждёт',
        few: '{count} клиента ждут',
        many: '{count} клиентов ждут',
        other: '{count} клиента ждут'
      },
      'console.queue.shown': 'показано: {count}',
      'console.queue.atCapacity': 'у вас максимум чатов',
      'console.queue.filter': 'Язык клиента',
      'console.queue.filter.all': 'Все языки',
      'console.queue.filter.hint': 'Фильтр меняет только этот список: «Взять следующий» ' +
        'по-прежнему берёт первый чат всей очереди.',
      'console.queue.filter.empty.en': 'Нет ожидающих клиентов, которые пишут по-английски.',
      'console.queue.filter.empty.ru': 'Нет ожидающих клиентов, которые пишут по-русски.',
      'console.takeNext': 'Взять следующий',
      'console.accept': 'Принять',
      'console.row.plan': 'План: {plan}',
      'console.row.noPlan': 'План: нет',
      'console.row.role': 'Роль: {role}',
      'console.row.visitor': 'Роль: посетитель',
      'console.row.noSummary': 'Без описания.',
      'console.row.waiting': 'Ждёт {time}',
      'console.row.overdue': 'Просрочено на {time}',
      'console.row.due': 'Ответить в течение {time}',
      'console.chats': 'Мои чаты',
      'console.chats.empty': 'За вами нет чатов. Примите чат из очереди или нажмите ' +
        '«Взять следующий».',
      'console.chats.count': '{count} из {capacity}',
      'console.chats.full': '(максимум)',
      'console.tab.unread': {
        one: '({count} непрочитанное)',
        few: '({count} непрочитанных)',
        many: '({count} непрочитанных)',
        other: '({count} непрочитанного)'
      },
      'console.chat.details': 'Сведения о чате',
      'console.chat.customer': 'Клиент',
      'console.chat.triage': 'Первичный опрос',
      'console.chat.id': 'ID чата {id}',
      'console.chat.language': 'Язык',
      'console.chat.noPriority': 'Без приоритета',
      'console.chat.online': 'В чате',
      'console.chat.left': 'Не в чате',
      'console.chat.transcript': 'Переписка',
      'console.chat.earlier': 'Загрузить более ранние сообщения',
      'console.chat.loading': 'Загрузка…',
      'console.card.name': 'Имя',
      'console.card.userId': 'ID пользователя',
      'console.card.accountId': 'ID учетной записи',
      'console.card.plan': 'План',
      'console.card.role': 'Роль',
      'console.card.licensed': 'Лицензия',
      'console.card.yes': 'Да',
      'console.card.no': 'Нет',
      'console.card.anonymous': 'Анонимный посетитель (вход не выполнен).',
      'console.card.priority': 'Приоритет',
      'console.card.summary': 'Кратко',
      'console.card.notGiven': 'Не указано',
      'console.triage.problem': 'Проблема',
      'console.triage.impact': 'Влияние',
      'console.triage.workaround': 'Обходное решение',
      'console.triage.meeting_id': 'Идентификатор конференции',
      'console.triage.down': 'Сервис не работает или его работа критически нарушена',
      'console.triage.many': 'Затронуто много людей',
      'console.triage.few': 'Затронут один или несколько человек',
      'console.triage.question': 'Вопрос или запрос',
      'console.triage.none': 'Нет',
      'console.triage.partial': 'Частичное',
      'console.triage.full': 'Есть рабочее обходное решение',
      'console.visitor': 'Посетитель',
      'console.sender.user': 'Клиент',
      'console.sender.bot': 'Ассистент',
      'console.sender.agent': 'Специалист',
      'console.sender.system': 'Система',
      'console.msg.empty': '(без текста)',
      'console.msg.sending': 'Отправка…',
      'console.msg.retrying': 'Ещё не отправлено. Пробуем снова…',
      'console.msg.failed': 'Не отправлено: {reason}',
      'console.msg.retry': 'Повторить',
      'console.typing': '{name} печатает…',
      'console.reply': 'Ответ',
      'console.reply.help': 'Enter — отправить, Shift+Enter — новая строка. Шаблон ответа: ' +
        'введите / и сокращение, затем нажмите Tab.',
      'console.reply.empty': 'Сначала напишите ответ.',
      'console.reply.notSent': 'Ваше сообщение не отправлено: {reason}.',
      'console.reply.notSentTo': 'Сообщение клиенту {customer} не отправлено: {reason}.',
      'console.send': 'Отправить',
      'console.canned': 'Шаблон ответа',
      'console.canned.list': 'Шаблоны ответов',
      'console.canned.insert': 'Вставить…',
      'console.canned.none': 'Шаблонов нет',
      'console.canned.agent': 'ваш специалист поддержки',
      'console.canned.customer': 'клиент',
      'console.actions': 'Действия с чатом',
      'console.transferTo': 'Передать специалисту',
      'console.transfer': 'Передать',
      'console.transfer.choose': 'Выберите…',
      'console.transfer.nobody': 'Нет свободных',
      'console.transfer.free': '{name} (свободных мест: {count})',
      'console.transfer.pick': 'Выберите специалиста, которому передать чат.',
      'console.transfer.failed': 'Не удалось передать чат: {reason}.',
      'console.transfer.failedOther': 'Не удалось передать чат: {reason}.',
      'console.transfer.done': 'Чат с клиентом {customer} передан специалисту {agent}.',
      'console.resolution': 'Итог',
      'console.resolution.Resolved': 'Решено',
      'console.resolution.Not resolved': 'Не решено',
      'console.resolution.Follow-up by ticket': 'Продолжение по веб-заявке',
      'console.resolution.Duplicate or spam': 'Дубликат или спам',
      'console.close': 'Закрыть чат',
      'console.close.failed': 'Не удалось закрыть чат: {reason}.',
      'console.close.done': 'Чат с клиентом {customer} закрыт ({resolution}).',
      'console.close.closed': 'Чат с клиентом {customer} закрыт.',
      'console.gone': 'Этот чат больше не закреплён за вами.',
      'console.requeued': 'Пока вас не было, чат с клиентом {customer} вернулся в очередь.',
      'console.accept.failed': 'Не удалось принять чат: {reason}',
      'console.takeNext.failed': 'Не удалось взять следующий чат: {reason}',
      'console.status.failed': 'Не удалось изменить статус: {reason}',
      'console.earlier.failed': 'Не удалось загрузить более ранние сообщения: {reason}.',
      'console.alert.waiting': 'Новый чат в очереди',
      'console.alert.assigned': 'Вам назначен чат',
      'console.alert.message': 'Сообщение от клиента {customer}',
      'console.announce.assigned': 'Вам назначен новый чат: {customer}',
      'console.announce.message': 'Новое сообщение от клиента {customer}',
      'console.reason.offline': 'нет соединения',
      'console.reason.timeout': 'сервер не ответил',
      'console.reason.not_chat_owner': 'чат закреплён не за вами',
      'console.reason.chat_not_found': 'чата больше нет',
      'console.reason.illegal_transition': 'состояние чата уже изменилось',
      'console.reason.rate_limited': 'слишком много запросов, подождите немного',
      'console.reason.refused': 'сервер отказал',
      'console.reason.bad_request': 'неверный запрос',
      'console.reason.too_large': 'сообщение слишком длинное',
      'console.reason.unavailable': 'сервер сейчас не может это сохранить',
      'console.reason.internal': 'ошибка на сервере',
      'console.reason.unknown': 'неизвестная ошибка'
    }
  };

  /** 'ru' for 'ru', 'RU', 'ru-RU', 'ru_RU'; null for anything unsupported. */
  function supported(code) {
    if (typeof code !== 'string') return null;
    var base = code.trim().toLowerCase().replace(/_/g, '-').split('-')[0];
    return SUPPORTED.indexOf(base) >= 0 ? base : null;
  }

  /** The first supported language among the candidates, else English. */
  function pick() {
    for (var i = 0; i < arguments.length; i++) {
      var lang = supported(arguments[i]);
      if (lang) return lang;
    }
    return DEFAULT;
  }

  var rulesCache = {};
  function pluralCategory(lang, count) {
    try {
      if (!rulesCache[lang]) rulesCache[lang] = new Intl.PluralRules(lang);
      return rulesCache[lang].select(count);
    } catch (e) {
      return count === 1 ? 'one' : 'other';
    }
  }

  function has(lang, key) {
    var table = MESSAGES[supported(lang) || DEFAULT];
    return Object.prototype.hasOwnProperty.call(table, key);
  }

  /** The text of `key` in `lang` (English when missing there; the key itself if unknown),
   * {placeholders} filled from `values`; plural entries chosen by `values.count`. */
  function t(lang, key, values) {
    lang = supported(lang) || DEFAULT;
    var entry = MESSAGES[lang][key];
    if (entry === undefined) entry = MESSAGES[DEFAULT][key];
    if (entry === undefined) return key;
    values = values || {};
    if (typeof entry === 'object') {
      var n = Number(values.count);
      entry = entry[pluralCategory(lang, n)] || entry.other;
    }
    return String(entry).replace(/\{([A-Za-z_]+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
    });
  }

  function translator(lang) {
    var chosen = supported(lang) || DEFAULT;
    var fn = function (key, values) { return t(chosen, key, values); };
    fn.lang = chosen;
    fn.has = function (key) { return has(chosen, key); };
    return fn;
  }

  return {
    SUPPORTED: SUPPORTED.slice(),
    DEFAULT: DEFAULT,
    messages: MESSAGES,
    supported: supported,
    pick: pick,
    pluralCategory: pluralCategory,
    has: has,
    t: t,
    translator: translator
  };
});
