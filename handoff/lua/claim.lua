-- Give a queued chat to an agent, atomically: the chat leaves the queue, becomes the
-- agent's, and the agent's count of active chats goes up, or nothing happens.
-- KEYS[1] queue (ZSET)   KEYS[2] agent's chats (SET)   KEYS[3] online agents (ZSET)
-- KEYS[4] chat hash prefix, e.g. 'hc:chat:'
-- ARGV[1] agent id   ARGV[2] capacity   ARGV[3] chat id, '' for the next in the queue
-- Returns the chat id, or an error string: 'full', 'empty', 'not_queued'.
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[2]) then
  return {err = 'full'}
end
local chat_id = ARGV[3]
if chat_id == '' then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #first == 0 then
    return {err = 'empty'}
  end
  chat_id = first[1]
elseif not redis.call('ZSCORE', KEYS[1], chat_id) then
  return {err = 'not_queued'}
end
local chat_key = KEYS[4] .. chat_id
if redis.call('HGET', chat_key, 'state') ~= 'queued' then
  redis.call('ZREM', KEYS[1], chat_id)
  return {err = 'not_queued'}
end
redis.call('ZREM', KEYS[1], chat_id)
redis.call('HSET', chat_key, 'state', 'agent', 'assignee', ARGV[1])
redis.call('SADD', KEYS[2], chat_id)
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  redis.call('ZADD', KEYS[3], redis.call('SCARD', KEYS[2]), ARGV[1])
end
return chat_id
