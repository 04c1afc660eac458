"""Lua scripts that make each state change of the Redis backends atomic.

Redis runs a script without interleaving other commands, so a task moves from
one state to the next in one step even when many processes share the queue.
Every queue script starts with ``QUEUE_PRELUDE`` and receives the key prefix
as KEYS[1] and the same six leading arguments (see the prelude). Key names
are built inside the scripts from the prefix, so the scripts need a single
Redis server, not a Redis Cluster.

Queue keys, under ``<prefix>:q:``:

- ``ready``: sorted set of ready tasks, score -priority, member
  ``<19-digit sequence>:<task_id>``; Redis orders equal scores by member, so
  equal priorities pop in push order.
- ``ready_at``: sorted set of ready task ids by the time they became ready.
- ``delayed``: sorted set of retries by due time, member as in ``ready``.
- ``running``: sorted set of running tasks by visibility deadline (``+inf``
  without a timeout), member as in ``ready``.
- ``dead`` and ``finished``: sorted sets of task ids in the order they failed
  or finished, for the dead-letter list and for trimming old records.
- ``counts``: hash of task counts per state.
- ``task:<task_id>``: hash of one task: the serialized task and its state,
  attempts, timestamps, error, worker and the members above.
- ``wake`` and ``space``: lists of wake-up tokens for blocked pops and pushes.
- ``seq``: the sequence counter.

Numbers that leave a script as strings go through ``fmt`` (``%.17g``), which
converts a double to text and back without loss.
"""

from __future__ import annotations

WAKE_TOKENS = 16
"""Maximum number of tokens in a wake-up list, so unread tokens cannot pile up."""

QUEUE_PRELUDE = """
local prefix = KEYS[1]
local now = ARGV[1]
local max_attempts = tonumber(ARGV[2])
local max_dead = tonumber(ARGV[3])
local keep_finished = tonumber(ARGV[4])
local visibility = ARGV[5]
local timeout_reason = ARGV[6]
-- Arguments of the script itself start at ARGV[7].

local function key(name) return prefix .. ':q:' .. name end
local function task_key(id) return prefix .. ':q:task:' .. id end
local function fmt(x) return string.format('%.17g', x) end
local function id_of(member) return string.sub(member, 21) end

local function new_member(id)
  local seq = redis.call('INCR', key('seq'))
  return string.format('%019d', seq) .. ':' .. id
end

local function wake(list)
  redis.call('RPUSH', key(list), '1')
  redis.call('LTRIM', key(list), -WAKE_TOKENS, -1)
end

local function transition(tk, from, to)
  redis.call('HINCRBY', key('counts'), from, -1)
  redis.call('HINCRBY', key('counts'), to, 1)
  redis.call('HSET', tk, 'state', to)
end

local function make_ready(id, tk, ready_at)
  local priority = tonumber(redis.call('HGET', tk, 'priority'))
  local member = new_member(id)
  redis.call('ZADD', key('ready'), -priority, member)
  redis.call('ZADD', key('ready_at'), ready_at, id)
  redis.call('HSET', tk, 'member', member, 'ready_at', ready_at)
end

-- Drop the oldest entries of a sorted set beyond limit, with their task
-- records, and return the ids dropped.
local function trim(set, limit)
  local ids = {}
  local over = redis.call('ZCARD', key(set)) - limit
  if over > 0 then
    local dropped = redis.call('ZPOPMIN', key(set), over)
    for i = 1, #dropped, 2 do
      redis.call('DEL', task_key(dropped[i]))
      ids[#ids + 1] = dropped[i]
    end
  end
  return ids
end

local function finish(id, tk, from, to)
  transition(tk, from, to)
  redis.call('HSET', tk, 'finished_at', now)
  redis.call('ZADD', key('finished'), redis.call('INCR', key('seq')), id)
  trim('finished', keep_finished)
end

-- Move a task to the dead letters; return the oldest ones dropped to make room.
local function bury(id, tk, from)
  transition(tk, from, 'failed')
  redis.call('HSET', tk, 'finished_at', now)
  redis.call('ZADD', key('dead'), redis.call('INCR', key('seq')), id)
  return trim('dead', max_dead)
end

local function release(tk)
  redis.call('ZREM', key('running'), redis.call('HGET', tk, 'running_member'))
end

local function promote_due()
  local due = redis.call('ZRANGEBYSCORE', key('delayed'), '-inf', now, 'WITHSCORES')
  for i = 1, #due, 2 do
    local id = id_of(due[i])
    local tk = task_key(id)
    transition(tk, 'retrying', 'queued')
    redis.call('HDEL', tk, 'delayed_member')
    make_ready(id, tk, due[i + 1])
  end
  if #due > 0 then
    redis.call('ZREMRANGEBYSCORE', key('delayed'), '-inf', now)
  end
end

-- Queue a running task again, or bury it when it has no attempts left.
-- Returns {id, serialized task, '1' when queued again or '0', reason,
-- attempts, ids of the dead letters dropped to make room}.
local function take_back(id, reason)
  local tk = task_key(id)
  release(tk)
  redis.call('HSET', tk, 'last_error', reason, 'taken_back', '1')
  local task = redis.call('HGET', tk, 'task')
  local attempts = redis.call('HGET', tk, 'attempts')
  if tonumber(attempts) < max_attempts then
    transition(tk, 'running', 'queued')
    make_ready(id, tk, now)
    wake('wake')
    return {id, task, '1', reason, attempts, {}}
  end
  return {id, task, '0', reason, attempts, bury(id, tk, 'running')}
end

local function collect_timed_out()
  local taken_back = {}
  local due = redis.call('ZRANGEBYSCORE', key('running'), '-inf', now)
  for _, member in ipairs(due) do
    taken_back[#taken_back + 1] = take_back(id_of(member), timeout_reason)
  end
  return taken_back
end

-- The reply of ack, fail and touch for a task that is not running:
-- {'ignored', reason} for a cancelled or taken-back task, else {'state', state}.
local function not_running_reply(tk, state)
  if state == 'cancelled' then return {'ignored', ''} end
  if redis.call('HGET', tk, 'taken_back') == '1' then
    return {'ignored', redis.call('HGET', tk, 'last_error') or ''}
  end
  return {'state', state}
end
""".replace("WAKE_TOKENS", str(WAKE_TOKENS))

PUSH = """
local id, task, task_type = ARGV[7], ARGV[8], ARGV[9]
local priority, maxsize = ARGV[10], tonumber(ARGV[11])
local tk = task_key(id)
local state = redis.call('HGET', tk, 'state')
if state == 'queued' or state == 'running' or state == 'retrying' then
  return {'duplicate', {}}
end
-- Due retries and timed-out tasks go first, so that they keep their place.
promote_due()
local taken_back = collect_timed_out()
if maxsize > 0 and redis.call('ZCARD', key('ready')) >= maxsize then
  return {'full', taken_back}
end
if state then
  -- A finished task or a dead letter with this id is superseded.
  redis.call('ZREM', key('dead'), id)
  redis.call('ZREM', key('finished'), id)
  redis.call('DEL', tk)
end
redis.call('HSET', tk, 'task', task, 'type', task_type, 'priority', priority,
  'state', 'queued', 'attempts', 0, 'created_at', now)
redis.call('HINCRBY', key('counts'), 'queued', 1)
make_ready(id, tk, now)
wake('wake')
return {'ok', taken_back}
"""

POP = """
local worker = ARGV[7]
promote_due()
local taken_back = collect_timed_out()
local popped = redis.call('ZPOPMIN', key('ready'))
if #popped == 0 then
  local due = redis.call('ZRANGE', key('delayed'), 0, 0, 'WITHSCORES')[2] or ''
  local ends = redis.call('ZRANGE', key('running'), 0, 0, 'WITHSCORES')[2] or ''
  local retrying = redis.call('ZCARD', key('delayed'))
  return {'', taken_back, retrying, due, ends, ''}
end
local id = id_of(popped[1])
local tk = task_key(id)
transition(tk, 'queued', 'running')
redis.call('ZREM', key('ready_at'), id)
redis.call('HINCRBY', tk, 'attempts', 1)
local deadline = '+inf'
if visibility ~= '' then deadline = fmt(tonumber(now) + tonumber(visibility)) end
local member = new_member(id)
redis.call('ZADD', key('running'), deadline, member)
redis.call('HSET', tk, 'started_at', now, 'worker', worker, 'taken_back', '0',
  'running_member', member, 'pop_id', member)
redis.call('HDEL', tk, 'run_at', 'member', 'ready_at')
wake('space')
return {redis.call('HGET', tk, 'task'), taken_back, 0, '', '', member}
"""

ACK = """
local id = ARGV[7]
local tk = task_key(id)
local state = redis.call('HGET', tk, 'state')
if not state then return {'missing'} end
if state ~= 'running' then return not_running_reply(tk, state) end
local task = redis.call('HGET', tk, 'task')
release(tk)
redis.call('HDEL', tk, 'last_error')
finish(id, tk, 'running', 'succeeded')
return {'ok', task}
"""

FAIL = """
local id, err, retry = ARGV[7], ARGV[8], ARGV[9]
local base, max_delay = tonumber(ARGV[10]), tonumber(ARGV[11])
local jitter, draw = tonumber(ARGV[12]), tonumber(ARGV[13])
local tk = task_key(id)
local state = redis.call('HGET', tk, 'state')
if not state then return {'missing'} end
if state ~= 'running' then return not_running_reply(tk, state) end
local task = redis.call('HGET', tk, 'task')
release(tk)
redis.call('HSET', tk, 'last_error', err)
local attempts = tonumber(redis.call('HGET', tk, 'attempts'))
if retry == '1' and attempts < max_attempts then
  -- The same arithmetic as RetryPolicy.delay(), so both backends agree.
  local exponent = math.max(attempts, 1) - 1
  local full = max_delay
  if exponent < 1024 and base * 2 ^ exponent < max_delay then
    full = base * 2 ^ exponent
  end
  local delay = full * (1.0 - jitter * draw)
  local run_at = fmt(tonumber(now) + delay)
  local member = new_member(id)
  transition(tk, 'running', 'retrying')
  redis.call('ZADD', key('delayed'), run_at, member)
  redis.call('HSET', tk, 'run_at', run_at, 'delayed_member', member)
  wake('wake')
  return {'retry', task, fmt(delay)}
end
return {'failed', task, attempts, bury(id, tk, 'running')}
"""

CANCEL = """
local id = ARGV[7]
local tk = task_key(id)
local state = redis.call('HGET', tk, 'state')
if not state then return 'missing' end
if state == 'queued' then
  redis.call('ZREM', key('ready'), redis.call('HGET', tk, 'member'))
  redis.call('ZREM', key('ready_at'), id)
elseif state == 'running' then
  release(tk)
elseif state == 'retrying' then
  redis.call('ZREM', key('delayed'), redis.call('HGET', tk, 'delayed_member'))
else
  return 'unchanged'
end
finish(id, tk, state, 'cancelled')
if state == 'queued' then wake('space') end
return 'cancelled'
"""

REQUEUE = """
local id = ARGV[7]
local tk = task_key(id)
local state = redis.call('HGET', tk, 'state')
if not state then return {'missing'} end
if not redis.call('ZSCORE', key('dead'), id) then return {'state', state} end
redis.call('ZREM', key('dead'), id)
promote_due()
redis.call('HSET', tk, 'attempts', 0, 'taken_back', '0')
redis.call('HDEL', tk, 'run_at', 'finished_at')
transition(tk, 'failed', 'queued')
make_ready(id, tk, now)
wake('wake')
return {'ok', redis.call('HGET', tk, 'task')}
"""

TOUCH = """
local id = ARGV[7]
local tk = task_key(id)
local state = redis.call('HGET', tk, 'state')
if not state then return {'missing'} end
if state ~= 'running' then return {'state', state} end
if visibility ~= '' then
  release(tk)
  local member = new_member(id)
  redis.call('ZADD', key('running'), fmt(tonumber(now) + tonumber(visibility)), member)
  redis.call('HSET', tk, 'running_member', member)
end
return {'ok'}
"""

EXPIRE = """
promote_due()
return collect_timed_out()
"""

TAKE_BACK = """
-- Take back one task whose worker thread ended, if that pop is still running.
local id, pop_id, reason = ARGV[7], ARGV[8], ARGV[9]
local tk = task_key(id)
if redis.call('HGET', tk, 'state') ~= 'running' then return {} end
if redis.call('HGET', tk, 'pop_id') ~= pop_id then return {} end
promote_due()
return take_back(id, reason)
"""

STATS = """
promote_due()
local oldest = redis.call('ZRANGE', key('ready_at'), 0, 0, 'WITHSCORES')[2] or ''
return {redis.call('HGETALL', key('counts')), redis.call('ZCARD', key('dead')), oldest}
"""

SIZE = """
promote_due()
return redis.call('ZCARD', key('ready'))
"""

DEAD_LETTERS = """
local letters = {}
for _, id in ipairs(redis.call('ZRANGE', key('dead'), 0, -1)) do
  letters[#letters + 1] = redis.call('HGETALL', task_key(id))
end
return letters
"""

STORE_PRELUDE = """
local prefix = KEYS[1]
local function key(name) return prefix .. ':s:' .. name end
local function value_key(name) return prefix .. ':s:v:' .. name end

local function remove_expired(now)
  local due = redis.call('ZRANGEBYSCORE', key('expiry'), '-inf', now)
  for _, name in ipairs(due) do
    redis.call('DEL', value_key(name))
    redis.call('ZREM', key('keys'), name)
  end
  if #due > 0 then
    redis.call('ZREMRANGEBYSCORE', key('expiry'), '-inf', now)
  end
  return #due
end
"""

STORE_SET = """
local name, payload, deadline, expire_ms = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if expire_ms == '' then
  redis.call('SET', value_key(name), payload)
  redis.call('ZREM', key('expiry'), name)
else
  redis.call('SET', value_key(name), payload, 'PX', expire_ms)
  redis.call('ZADD', key('expiry'), deadline, name)
end
-- An existing key keeps its place in the insertion order, as in a dict.
if not redis.call('ZSCORE', key('keys'), name) then
  redis.call('ZADD', key('keys'), redis.call('INCR', key('seq')), name)
end
"""

STORE_DELETE = """
local name, now = ARGV[1], ARGV[2]
local existed = redis.call('DEL', value_key(name))
local deadline = redis.call('ZSCORE', key('expiry'), name)
redis.call('ZREM', key('keys'), name)
redis.call('ZREM', key('expiry'), name)
if existed == 1 and (not deadline or tonumber(deadline) > tonumber(now)) then
  return 1
end
return 0
"""

STORE_CLEANUP = """
return remove_expired(ARGV[1])
"""

STORE_SIZE = """
remove_expired(ARGV[1])
return redis.call('ZCARD', key('keys'))
"""

STORE_KEYS = """
remove_expired(ARGV[1])
return redis.call('ZRANGE', key('keys'), 0, -1)
"""

STORE_CLEAR = """
for _, name in ipairs(redis.call('ZRANGE', key('keys'), 0, -1)) do
  redis.call('DEL', value_key(name))
end
redis.call('DEL', key('keys'), key('expiry'))
"""
