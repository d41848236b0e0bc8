-- Append one message to a chat's transcript, exactly once per client message id.
-- KEYS[1] chat seq counter (STRING)   KEYS[2] chat log (STREAM)   KEYS[3] client ids (HASH)
-- ARGV[1] client_msg_id, '' if none   ARGV[2] sender   ARGV[3] text
-- ARGV[4] extra JSON                  ARGV[5] timestamp ms   ARGV[6] ttl seconds
-- Returns {seq, 1} for a new message, {seq, 0} for a retry of a stored one.
if ARGV[1] ~= '' then
  local existing = redis.call('HGET', KEYS[3], ARGV[1])
  if existing then
    return {tonumber(existing), 0}
  end
end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], '0-' .. seq, 'seq', seq, 'sender', ARGV[2], 'text', ARGV[3],
           'extra', ARGV[4], 'ts', ARGV[5])
if ARGV[1] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[1], seq)
end
local ttl = tonumber(ARGV[6])
for _, key in ipairs(KEYS) do
  redis.call('EXPIRE', key, ttl)
end
return {seq, 1}
