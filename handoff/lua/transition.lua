-- Move a chat from one ownership state to another, only if it is still in the first.
-- KEYS[1] chat (HASH)
-- ARGV[1] expected state   ARGV[2] new state   ARGV[3..] field, value pairs to set too
-- Returns 1 when done, 0 when the chat was not in the expected state, -1 if no chat.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return -1
end
if state ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'state', ARGV[2])
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 1
