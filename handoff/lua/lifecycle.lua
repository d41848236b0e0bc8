-- The chat lifecycle: every change of a chat's owner, queue membership, assignment,
-- agent load and fields, each use case one atomic call (nothing half-moved by a crash).
-- Registered once at start-up by handoff/lifecycle.py, which prepends `local F = {...}`
-- (the chat record's field names, from handoff/chat.py).
--
-- ARGV[1] command   ARGV[2] JSON parameters (p)   returns JSON: {ok = true, ...} or {err}
-- Every command's KEYS start with the chat's own keys:
--   KEYS[1] chat (HASH, handoff/chat.py)    KEYS[2] chat seq (STRING)
--   KEYS[3] chat log (STREAM 0-<seq>)       KEYS[4] client ids (HASH client id -> seq)
-- and go on per command:
--   open           -
--   user_message   KEYS[5] queue (ZSET)  KEYS[6] turns (HASH)  KEYS[7] turn index (ZSET)
--                  KEYS[8] today's stats (HASH)  KEYS[9] today's ratings (LIST)
--   finish_turn    KEYS[5] queue  KEYS[6] turns  KEYS[7] turn index  KEYS[8] agents online
--                  KEYS[9] the user's open handoff (STRING chat id), when p.handoff.user
--   request        KEYS[5] queue  KEYS[6] agents online (ZSET agent -> active chats)
--                  KEYS[7] the user's open handoff, when p.handoff.user
--   cancel         KEYS[5] queue  KEYS[6] the user's open handoff, when p.user
--   abandon        KEYS[5] queue  KEYS[6] the user's open handoff, when p.user
--   claim          KEYS[5] queue  KEYS[6] agent's chats (SET)  KEYS[7] agents online
--   transfer       KEYS[5] from's chats  KEYS[6] to's chats  KEYS[7] agents online
--                  KEYS[8] to's agent hash (status)
--   close          KEYS[5] agent's chats  KEYS[6] agents online  KEYS[7] handle times (LIST)
--                  KEYS[8] today's stats  KEYS[9] the user's open handoff, when p.user
--   hand_back      the same KEYS as close
--   requeue        KEYS[5] queue  KEYS[6] agent's chats  KEYS[7] agents online
--   rate           KEYS[5] today's stats  KEYS[6] today's ratings
--   agent_message  KEYS[5] today's stats
--   note           KEYS[5] the chat's notes (STREAM 0-<n>)
--   say            -
--   take_over      KEYS[5] turns (HASH)  KEYS[6] turn index (ZSET)
-- Messages in p are {sender, text, extra (a JSON string), cid?}; each new one is returned
-- in `messages` as {seq, sender, text, extra, ts} for the caller to deliver.
-- Beside the queue (KEYS[5] where a command has it) every command that changes queue
-- membership keeps `<queue>:waiting` (ZSET chat -> priority * 1e13 + waiting-since ms),
-- and the day's counters (today's stats, ratings; p.stats_ttl) are counted in the same
-- step as the change they count, so the supervisors' board reads a few keys, never scans.

local cmd = ARGV[1]
local p = cjson.decode(ARGV[2])
local CHAT, SEQ, LOG, CIDS = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local added = {}

-- Every parameter a command writes is checked before its first write: Redis does not
-- roll a script back, so an error half-way would leave a chat half-moved.
local function need(...)
  local n = select('#', ...)
  for i = 1, n do
    if select(i, ...) == nil then
      error('lifecycle ' .. cmd .. ': parameter ' .. i .. ' is missing')
    end
  end
end

local function need_message(m)
  need(m, m and m.sender, m and m.text)
end

local function need_handoff(h)
  need(h, h and h.priority, h and h.reason, h and h.summary, h and h.triage, h and h.score)
  if h and h.nobody_online then
    need_message(h.nobody_online)
  end
end

local function reply(t)
  t.ok = true
  t.messages = added
  return cjson.encode(t)
end

local function fail(code, extra)
  local t = extra or {}
  t.err = code
  return cjson.encode(t)
end

local function chat_fields()
  local flat = redis.call('HGETALL', CHAT)
  local t = {}
  for i = 1, #flat, 2 do
    t[flat[i]] = flat[i + 1]
  end
  return t
end

local function touch()
  for i = 1, 4 do
    redis.call('EXPIRE', KEYS[i], p.ttl)
  end
end

-- Append one message, once per client id; returns its seq and whether it is new.
local function append(m)
  local cid = m.cid
  if cid and cid ~= '' then
    local existing = redis.call('HGET', CIDS, cid)
    if existing then
      return tonumber(existing), false
    end
  end
  local seq = redis.call('INCR', SEQ)
  local extra = m.extra or '{}'
  redis.call('XADD', LOG, '0-' .. seq, 'seq', seq, 'sender', m.sender, 'text', m.text,
             'extra', extra, 'ts', p.now_ms)
  if cid and cid ~= '' then
    redis.call('HSET', CIDS, cid, seq)
  end
  table.insert(added, {seq = seq, sender = m.sender, text = m.text, extra = extra,
                       ts = p.now_ms})
  return seq, true
end

local function append_all(list)
  if list then
    for _, m in ipairs(list) do
      append(m)
    end
  end
end

-- An online agent's load (its score in the online set) follows its active chats.
local function set_load(online, chats, agent)
  if redis.call('ZSCORE', online, agent) then
    redis.call('ZADD', online, redis.call('SCARD', chats), agent)
  end
end

local function waiting(queue)
  return queue .. ':waiting'
end

-- Out of the queue and of its waiting set.
local function unqueue(queue)
  redis.call('ZREM', queue, p.chat_id)
  redis.call('ZREM', waiting(queue), p.chat_id)
end

-- One more `name` today, overall and for `agent`, with `amount` (seconds, a rating)
-- summed and its largest kept.
local function count(stats, name, agent, amount)
  redis.call('HINCRBY', stats, name, 1)
  redis.call('HINCRBY', stats, name .. ':' .. agent, 1)
  if amount then
    local n = math.max(0, math.floor(amount + 0.5))
    redis.call('HINCRBY', stats, name .. '_sum', n)
    redis.call('HINCRBY', stats, name .. '_sum:' .. agent, n)
    if n > tonumber(redis.call('HGET', stats, name .. '_max') or '-1') then
      redis.call('HSET', stats, name .. '_max', n)
    end
  end
  redis.call('EXPIRE', stats, p.stats_ttl)
end

local function state_is(expected)
  return redis.call('HGET', CHAT, F.state) == expected
end

-- The chat is with `agent` now.
local function with_agent(agent)
  return state_is('agent') and redis.call('HGET', CHAT, F.assignee) == agent
end

-- Queue the chat for a person (bot -> queued). `h` = {priority, reason, summary, triage,
-- score, seq?, nobody_online?, busy?}; `user_key` (the user's open-handoff key) or nil.
-- Returns 'queued'; 'already' when the chat is not the bot's or this very turn queued it
-- before (a re-run); 'busy' when the user has another chat open with support.
local function request(queue, online, h, user_key)
  if not state_is('bot') then
    return 'already'
  end
  if h.seq and tonumber(redis.call('HGET', CHAT, F.handoff_seq) or '0') == h.seq then
    return 'already'
  end
  if user_key then
    local open = redis.call('GET', user_key)
    if open and open ~= p.chat_id then
      -- still with support? (a slot left by a path that did not free it is taken over;
      -- the other chat's key is built here: one Redis, not a cluster)
      local other = redis.call('HGET', h.chat_prefix .. open, F.state)
      if other == 'queued' or other == 'agent' then
        return 'busy'
      end
    end
    redis.call('SET', user_key, p.chat_id, 'EX', 86400)
  end
  redis.call('HSET', CHAT, F.state, 'queued', F.priority, h.priority, F.reason, h.reason,
             F.summary, h.summary, F.triage, h.triage, F.waiting_since, p.now,
             F.handoff_seq, h.seq or 0, F.csat_pending, '0', F.assignee, '',
             F.requested_at, p.now)
  redis.call('HDEL', CHAT, F.first_reply_at)
  redis.call('ZADD', queue, h.score, p.chat_id)
  redis.call('ZADD', waiting(queue), h.score, p.chat_id)
  if h.nobody_online and redis.call('ZCARD', online) == 0 then
    append(h.nobody_online)
  end
  return 'queued'
end

-- The user's open handoff is over (closed, cancelled, abandoned): free the user's slot.
local function release_user(user_key)
  if user_key and redis.call('GET', user_key) == p.chat_id then
    redis.call('DEL', user_key)
  end
end

local function leave_queue(queue, message)
  redis.call('HSET', CHAT, F.state, 'bot')
  unqueue(queue)
  if message then
    append(message)
  end
end

-- The rating of the closed agent chat, counted today for the agent who closed it.
local function rate(rating, comment, thanks, stats, ratings)
  redis.call('HSET', CHAT, F.csat_rating, rating, F.csat_comment, comment, F.csat_at, p.now,
             F.csat_pending, '0')
  local agent = redis.call('HGET', CHAT, F.closed_by) or ''
  count(stats, 'csat', agent, rating)
  redis.call('LPUSH', ratings, cjson.encode({
    chat_id = p.chat_id, agent = agent, rating = rating, comment = comment, ts = p.now,
    language = redis.call('HGET', CHAT, F.language) or ''}))
  redis.call('LTRIM', ratings, 0, 4999)
  redis.call('EXPIRE', ratings, p.stats_ttl)
  append(thanks)
end

-- The agent lets the chat go (close, hand back): agent -> bot, its load released, its
-- handle time recorded. KEYS as `close`. Returns the seconds since the handoff's start.
local function release_agent()
  local assigned_at = tonumber(redis.call('HGET', CHAT, F.assigned_at) or p.now)
  redis.call('HSET', CHAT, F.state, 'bot', F.assignee, '')
  redis.call('SREM', KEYS[5], p.chat_id)
  set_load(KEYS[6], KEYS[5], p.agent)
  redis.call('LPUSH', KEYS[7], string.format('%d', math.floor(math.max(0, p.now - assigned_at))))
  redis.call('LTRIM', KEYS[7], 0, 49)
  release_user(p.user and KEYS[9] or nil)
  local since = tonumber(redis.call('HGET', CHAT, F.requested_at) or '') or
                tonumber(redis.call('HGET', CHAT, F.waiting_since) or '') or assigned_at
  return p.now - since
end

local function register_turn(turns, index, member, turn)
  redis.call('HSET', turns, member, cjson.encode(turn))
  redis.call('ZADD', index, p.now, member)
end

-- -- commands ------------------------------------------------------------------------------
if cmd == 'open' then
  -- Create the chat, or rejoin it when it belongs to the same user (or the same
  -- anonymous visitor); someone else's chat is refused ('not_yours').
  need(p.user_id, p.plan, p.role, p.language)
  local state = redis.call('HGET', CHAT, F.state)
  local created = false
  if not state then
    if not p.create then
      return fail('not_found')
    end
    redis.call('HSET', CHAT, F.state, 'bot', F.user_id, p.user_id, F.plan, p.plan, F.role,
               p.role, F.language, p.language, F.created_at, p.now)
    created = true
  else
    if (redis.call('HGET', CHAT, F.user_id) or '') ~= p.user_id then
      return fail('not_yours')
    end
    redis.call('HSET', CHAT, F.plan, p.plan, F.role, p.role)
    if p.language ~= '' then
      redis.call('HSET', CHAT, F.language, p.language)
    end
  end
  touch()
  return reply({created = created, chat = chat_fields()})

elseif cmd == 'user_message' then
  -- Store a user message once per client id; in the bot's chats, register its bot turn
  -- (pending until finish_turn), or take it as the rating of a closed agent chat; while
  -- queued, p.ticket_instead leaves the queue and hands the request to the bot.
  need_message(p.message)
  need(p.rating, p.language)
  need_message(p.thanks)
  local state = redis.call('HGET', CHAT, F.state)
  if not state then
    return fail('not_found')
  end
  local seq, new = append(p.message)
  local member = p.chat_id .. ':' .. seq
  if not new then
    local turn = redis.call('HGET', KEYS[6], member)
    return reply({seq = seq, new = false, state = state,
                  assignee = redis.call('HGET', CHAT, F.assignee) or '',
                  turn = turn or false})
  end
  local rated, turn = false, false
  if state == 'queued' and p.ticket_instead then
    leave_queue(KEYS[5], nil)
    state = 'bot'
  end
  if state == 'bot' then
    if p.rating > 0 and redis.call('HGET', CHAT, F.csat_pending) == '1' then
      rate(p.rating, '', p.thanks, KEYS[8], KEYS[9])
      rated = true
    elseif p.turn then
      p.turn.seq = seq
      register_turn(KEYS[6], KEYS[7], member, p.turn)
      turn = cjson.encode(p.turn)
    end
  end
  if p.language ~= '' then
    redis.call('HSET', CHAT, F.language, p.language)
  end
  touch()
  return reply({seq = seq, new = true, state = state, rated = rated, turn = turn,
                assignee = redis.call('HGET', CHAT, F.assignee) or ''})

elseif cmd == 'finish_turn' then
  -- The bot's answer to user message p.seq: its replies (once each, by their client ids),
  -- the handoff it asked for (queued once per turn), and the turn marked answered.
  need(p.seq, p.replies)
  for _, m in ipairs(p.replies) do need_message(m) end
  if p.handoff then need_handoff(p.handoff) end
  local member = p.chat_id .. ':' .. p.seq
  if not redis.call('HGET', CHAT, F.state) then
    redis.call('HDEL', KEYS[6], member)
    redis.call('ZREM', KEYS[7], member)
    return fail('not_found')
  end
  for _, m in ipairs(p.replies) do
    append(m)
  end
  local queued = false
  if p.handoff then
    local result = request(KEYS[5], KEYS[8], p.handoff, p.handoff.user and KEYS[9] or nil)
    queued = result == 'queued'
    if result == 'busy' and p.handoff.busy then
      append(p.handoff.busy)
    end
  end
  if p.bot_down then
    redis.call('HSET', CHAT, F.bot_down_at, p.now)
  else
    redis.call('HDEL', CHAT, F.bot_down_at)
  end
  redis.call('HDEL', KEYS[6], member)
  redis.call('ZREM', KEYS[7], member)
  touch()
  return reply({queued = queued, state = redis.call('HGET', CHAT, F.state)})

elseif cmd == 'request' then
  -- A person asked for without the bot (the bot is down; the gateway checked the
  -- entitlement itself).
  need_handoff(p.handoff)
  if not redis.call('HGET', CHAT, F.state) then
    return fail('not_found')
  end
  local result = request(KEYS[5], KEYS[6], p.handoff, p.handoff.user and KEYS[7] or nil)
  if result == 'busy' then
    return fail('busy')
  end
  if result ~= 'queued' then
    return fail('illegal', {state = redis.call('HGET', CHAT, F.state)})
  end
  append_all(p.before)
  touch()
  return reply({queued = true})

elseif cmd == 'cancel' or cmd == 'abandon' then
  need_message(p.message)
  if not state_is('queued') then
    return fail('illegal', {state = redis.call('HGET', CHAT, F.state) or false})
  end
  leave_queue(KEYS[5], p.message)
  release_user(p.user and KEYS[6] or nil)
  touch()
  return reply({})

elseif cmd == 'claim' then
  -- queued -> agent: out of the queue, the agent's, its load up, or nothing at all.
  need(p.agent, p.capacity)
  need_message(p.message)
  if redis.call('SCARD', KEYS[6]) >= p.capacity then
    return fail('full')
  end
  if not redis.call('ZSCORE', KEYS[5], p.chat_id) then
    return fail('not_queued')
  end
  if not state_is('queued') then
    unqueue(KEYS[5])
    return fail('not_queued')
  end
  local waiting_since = tonumber(redis.call('HGET', CHAT, F.waiting_since) or p.now)
  unqueue(KEYS[5])
  redis.call('HSET', CHAT, F.state, 'agent', F.assignee, p.agent, F.assigned_at, p.now)
  redis.call('SADD', KEYS[6], p.chat_id)
  set_load(KEYS[7], KEYS[6], p.agent)
  append(p.message)
  touch()
  return reply({waited = p.now - waiting_since, chat = chat_fields()})

elseif cmd == 'transfer' then
  -- From one agent to another online agent with free capacity, in one step.
  need(p.from, p.to, p.capacity)
  need_message(p.message)
  if not with_agent(p.from) then
    return fail('not_owner')
  end
  if redis.call('HGET', KEYS[8], 'status') ~= 'online' then
    return fail('target_not_online')
  end
  if redis.call('SCARD', KEYS[6]) >= p.capacity then
    return fail('target_full')
  end
  redis.call('HSET', CHAT, F.assignee, p.to, F.assigned_at, p.now)
  redis.call('SREM', KEYS[5], p.chat_id)
  redis.call('SADD', KEYS[6], p.chat_id)
  set_load(KEYS[7], KEYS[5], p.from)
  set_load(KEYS[7], KEYS[6], p.to)
  append(p.message)
  touch()
  return reply({chat = chat_fields()})

elseif cmd == 'close' then
  -- agent -> bot: released, its handle time recorded, the rating asked for.
  need(p.agent, p.resolution, p.messages)
  for _, m in ipairs(p.messages) do need_message(m) end
  if not with_agent(p.agent) then
    return fail('not_owner')
  end
  local resolution_s = release_agent()
  redis.call('HSET', CHAT, F.resolution, p.resolution, F.closed_at, p.now,
             F.closed_by, p.agent, F.csat_pending, '1')
  count(KEYS[8], 'resolution', p.agent, resolution_s)
  append_all(p.messages)
  touch()
  return reply({})

elseif cmd == 'hand_back' then
  -- agent -> bot without closing: released like close, no rating asked for; the next
  -- user message is the bot's again.
  need(p.agent, p.messages)
  for _, m in ipairs(p.messages) do need_message(m) end
  if not with_agent(p.agent) then
    return fail('not_owner')
  end
  release_agent()
  redis.call('HSET', CHAT, F.handed_back_at, p.now, F.csat_pending, '0')
  count(KEYS[8], 'handed_back', p.agent, nil)
  append_all(p.messages)
  touch()
  return reply({})

elseif cmd == 'requeue' then
  -- The agent is gone past the grace period: agent -> queued, at the front of its
  -- priority (p.scores[priority]); a chat that is no longer the agent's is just released.
  need(p.agent, p.scores)
  need_message(p.message)
  local mine = with_agent(p.agent)
  redis.call('SREM', KEYS[6], p.chat_id)
  set_load(KEYS[7], KEYS[6], p.agent)
  if not mine then
    return reply({requeued = false})
  end
  local priority = redis.call('HGET', CHAT, F.priority) or 'P3'
  redis.call('HSET', CHAT, F.state, 'queued', F.assignee, '', F.waiting_since, p.now)
  local front = p.scores[priority] or p.scores['P3']
  redis.call('ZADD', KEYS[5], front, p.chat_id)
  redis.call('ZADD', waiting(KEYS[5]), front + p.now_ms, p.chat_id)
  append(p.message)
  touch()
  return reply({requeued = true})

elseif cmd == 'rate' then
  need(p.rating, p.comment)
  need_message(p.thanks)
  if not redis.call('HGET', CHAT, F.state) then
    return fail('not_found')
  end
  if redis.call('HGET', CHAT, F.csat_pending) ~= '1' then
    return fail('not_pending')
  end
  rate(p.rating, p.comment, p.thanks, KEYS[5], KEYS[6])
  touch()
  return reply({})

elseif cmd == 'agent_message' then
  -- Only the assigned agent writes; a retry of a stored message is recognised first.
  need(p.agent)
  need_message(p.message)
  local existing = redis.call('HGET', CIDS, p.message.cid or '')
  if existing then
    return reply({seq = tonumber(existing), new = false})
  end
  if not with_agent(p.agent) then
    return fail('not_owner')
  end
  local seq = append(p.message)
  if not redis.call('HGET', CHAT, F.first_reply_at) then
    -- the customer's first answer from a person in this handoff
    redis.call('HSET', CHAT, F.first_reply_at, p.now)
    local since = tonumber(redis.call('HGET', CHAT, F.requested_at) or '') or
                  tonumber(redis.call('HGET', CHAT, F.assigned_at) or '') or p.now
    count(KEYS[5], 'first_response', p.agent, p.now - since)
  end
  touch()
  return reply({seq = seq, new = true})

elseif cmd == 'note' then
  -- An internal note: the assigned agent on its chat, a supervisor on any chat. Kept in
  -- the chat's own notes stream (never its log, which is what the customer is sent),
  -- once per client id, at most p.max_notes per chat.
  need(p.author, p.name, p.text, p.max_notes, p.supervisor)
  if not redis.call('HGET', CHAT, F.state) then
    return fail('not_found')
  end
  local cid = p.cid and ('note:' .. p.cid) or nil
  if cid then
    local existing = redis.call('HGET', CIDS, cid)
    if existing then
      return reply({id = tonumber(existing), new = false})
    end
  end
  if not p.supervisor and not with_agent(p.author) then
    return fail('not_owner')
  end
  local n = redis.call('XLEN', KEYS[5])
  if n >= p.max_notes then
    return fail('too_many_notes')
  end
  local after = tonumber(redis.call('GET', SEQ) or '0')
  redis.call('XADD', KEYS[5], '0-' .. (n + 1), 'id', n + 1, 'author', p.author,
             'name', p.name, 'text', p.text, 'ts', p.now_ms, 'after_seq', after)
  if cid then
    redis.call('HSET', CIDS, cid, n + 1)
  end
  redis.call('EXPIRE', KEYS[5], p.ttl)
  touch()
  return reply({id = n + 1, new = true, note = {id = n + 1, author = p.author,
                name = p.name, text = p.text, ts = p.now_ms, after_seq = after}})

elseif cmd == 'take_over' then
  -- A pending turn whose owner (p.dead) died: this process (p.owner) runs it again.
  local member = p.chat_id .. ':' .. p.seq
  local raw = redis.call('HGET', KEYS[5], member)
  if not raw then
    return fail('not_stale')
  end
  local turn = cjson.decode(raw)
  if turn.owner ~= p.dead then
    return fail('not_stale')
  end
  turn.owner = p.owner
  turn.attempts = (tonumber(turn.attempts) or 1) + 1
  local encoded = cjson.encode(turn)
  redis.call('HSET', KEYS[5], member, encoded)
  redis.call('ZADD', KEYS[6], p.now, member)
  return reply({turn = encoded})

elseif cmd == 'say' then
  if not redis.call('HGET', CHAT, F.state) then
    return fail('not_found')
  end
  append_all(p.messages)
  touch()
  return reply({})
end

return fail('unknown_command')
