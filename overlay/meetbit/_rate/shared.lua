-- The rate controller of controller.py, kept in one Redis hash so that every process and
-- machine sharing an access key sends at one rate. Atomic (a script), timed by the server's
-- clock (TIME), so client clocks need not agree. Mirrors controller.py step for step.
--
-- KEYS[1]  the state hash
-- ARGV     op ("reserve" | "throttle"), successes this process saw since its last call,
--          retry_after (seconds; <= 0 when absent or unusable), a uniform random in [0, 1),
--          idle seconds before the state expires, then the tuning constants:
--          C, BETA, MIN_RATE, HOLD, MAX_BACKOFF, FORGET_AFTER, MAX_JITTER, BACKOFF_BASE,
--          MAX_PAYBACK, ROUND_HOLD, POLL
-- Returns  the seconds to wait (a string: Lua numbers would be truncated to integers);
--          negative -h: no slot, ask again in h seconds (the first round is being answered)
local key = KEYS[1]
local op = ARGV[1]
local ok = tonumber(ARGV[2])
local ra = tonumber(ARGV[3])
local u = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local C, BETA, MIN_RATE = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local HOLD, MAX_BACKOFF, FORGET = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local MAX_JITTER, BACKOFF_BASE = tonumber(ARGV[12]), tonumber(ARGV[13])
local MAX_PAYBACK = tonumber(ARGV[14])
local ROUND_HOLD, POLL = tonumber(ARGV[15]), tonumber(ARGV[16])

local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6

local s = redis.call('HMGET', key, 'on', 'rate', 'next_free', 'w_max', 'last_cut',
  'hold_until', 'fresh', 'streak', 'm_prev', 'm_cur', 'm_end', 'sent', 'answered', 'recovery',
  'm_first', 'first_burst', 'guessed', 'opening', 'round_start', 'deferred', 'refused')
local on = s[1] == '1'
local rate = tonumber(s[2]) or MIN_RATE
local next_free = tonumber(s[3]) or now
local w_max = tonumber(s[4]) or 0
local last_cut = tonumber(s[5]) or now
local hold_until = tonumber(s[6]) or 0
local fresh = tonumber(s[7]) or 1
local streak = tonumber(s[8]) or 0
local m_prev = tonumber(s[9]) or 0
local m_cur = tonumber(s[10]) or 0
local m_end = tonumber(s[11]) or (now + 1)
local sent = tonumber(s[12]) or 0
local answered = tonumber(s[13]) or 0
local recovery = tonumber(s[14]) or 0
local m_first = tonumber(s[15])  -- first success counted since the meter was empty
local first_burst = s[16] == '1'  -- still answering the burst that met the first 429
local guessed = s[17] == '1'  -- the first rate was guessed from the requests in flight
local opening = s[18] ~= '0'  -- the first round may still be unanswered
local round_start = tonumber(s[19]) or now
local deferred = tonumber(s[20])  -- the latest moment the first round's 429s asked for
local refused = tonumber(s[21]) or 0  -- how many 429s the first round drew
local judged = nil  -- how many 429s of a first round this call judges, all at once

-- AcceptedMeter: two one-second buckets
if now >= m_end then
  local skipped = math.floor(now - m_end)
  if skipped == 0 then m_prev = m_cur else m_prev = 0 end
  m_cur = 0
  m_end = m_end + skipped + 1
  if skipped > 0 then m_first = nil end
end

-- ThrottleDetector
local function stale()
  return now < hold_until and answered <= recovery
end
if ok > 0 then
  guessed = false
  if not m_first then m_first = now end
  m_cur = m_cur + ok
  answered = answered + ok
  if on and not stale() then fresh = 1 end
end

local function cubic(at)
  local k = (w_max * (1 - BETA) / C) ^ (1 / 3)
  return C * (math.max(at - last_cut, 0) - k) ^ 3 + w_max
end

local wait = 0
-- a slow start (controller._held): twice the successes may be out until the first 429; then
-- nothing more until everything sent is answered, and the 429s are judged then, all at once
local held = false
local judge = op == 'throttle'
if judge then answered = answered + 1 end
if judge and opening and not on then
  -- Retry-After counts from its 429, not from the judgement
  deferred = math.max(deferred or now, now + math.max(ra, 0))
  refused = refused + 1
  if answered < sent then
    judge = false
  else
    opening = false
    ra = deferred - now
    deferred = nil
    judged = refused
  end
end
if op == 'reserve' and opening and not on and answered > 0 then
  if now - round_start < ROUND_HOLD and
      ((not deferred and sent >= 2 * answered) or (deferred and answered < sent)) then
    held = true
    wait = -POLL
  elseif now - round_start >= ROUND_HOLD or deferred then
    opening = false
    if deferred then
      judge = true
      ra = deferred - now
      deferred = nil
      judged = refused
    end
  end
end
if judge then
  local accepted = m_prev * (m_end - now) + m_cur
  -- a first round's successes came within ROUND_HOLD, a second
  if judged then accepted = math.max(accepted, answered - judged) end
  local verdict
  if stale() then
    verdict = 'stale'
  else
    hold_until = now + HOLD
    -- slots handed out for later are not sent yet: their answers will be news
    local waiting = 0
    if on then waiting = math.max(0, math.floor((next_free - now) * rate)) end
    recovery = sent - waiting
    if fresh == 1 then
      fresh = 0
      streak = 0
      verdict = 'overshoot'
    else
      streak = streak + 1
      verdict = 'persisting'
    end
  end
  local first = not on
  if not on then
    on = true
    guessed = accepted <= 0
    if accepted > 0 then w_max = accepted else w_max = math.max(sent - answered + (judged or 1), 1) end
    last_cut = now
    rate = math.max(BETA * w_max, MIN_RATE)
    next_free = now
  elseif verdict == 'overshoot' then
    local sending = math.max(cubic(now), MIN_RATE)
    local basis = sending
    if accepted > 0 and accepted < sending then basis = accepted end
    w_max = basis
    last_cut = now
    rate = math.max(BETA * basis, MIN_RATE)
  elseif verdict == 'persisting' and guessed then
    -- a guessed rate and still nothing accepted: others hold the quota; halve it
    w_max = math.max(cubic(now), MIN_RATE) / 2
    last_cut = now
    rate = math.max(BETA * w_max, MIN_RATE)
  elseif verdict == 'stale' and first_burst and accepted > 0 then
    if guessed then
      guessed = false
      w_max = accepted
    elseif accepted > w_max then
      w_max = accepted
    end
    rate = math.max(cubic(now), MIN_RATE)
  end
  first_burst = (first and verdict ~= 'stale') or (first_burst and verdict == 'stale')
  local spacing = 1 / rate
  local floor = nil
  local span = 1
  if m_first then span = math.min(1, now - m_first) end
  -- payback: what was accepted lately, paid for at the new rate (controller._payback)
  local payback = 0
  if verdict == 'overshoot' or first_burst then
    payback = math.min(MAX_PAYBACK, math.max(0, accepted / rate - span))
  end
  if ra > 0 then
    floor = now + ra + u * math.min(spacing, MAX_JITTER)
  elseif verdict ~= 'stale' then
    floor = now + math.min(MAX_BACKOFF, math.min(spacing, BACKOFF_BASE) * 2 ^ streak)
  end
  if payback > 0 and (not floor or now + payback > floor) then floor = now + payback end
  if floor and floor > next_free then
    next_free = floor
    if floor > last_cut then last_cut = floor end
  end
end
if op == 'reserve' and not held then
  sent = sent + 1
  if on then
    if now - last_cut > FORGET and next_free <= now then
      on = false
    else
      local slot = math.max(next_free, now)
      rate = math.max(cubic(slot), MIN_RATE)
      next_free = slot + 1 / rate
      wait = slot - now
    end
  end
end

local function f(x) return string.format('%.6f', x) end
redis.call('HSET', key, 'on', on and '1' or '0', 'rate', f(rate), 'next_free', f(next_free),
  'w_max', f(w_max), 'last_cut', f(last_cut), 'hold_until', f(hold_until), 'fresh', fresh,
  'streak', streak, 'm_prev', m_prev, 'm_cur', m_cur, 'm_end', f(m_end), 'sent', sent,
  'answered', answered, 'recovery', recovery, 'm_first', m_first and f(m_first) or '',
  'first_burst', first_burst and '1' or '0', 'guessed', guessed and '1' or '0',
  'opening', opening and '1' or '0', 'round_start', f(round_start),
  'deferred', deferred and f(deferred) or '', 'refused', refused)
redis.call('EXPIRE', key, ttl)
return f(wait)
