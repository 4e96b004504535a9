/**
The server-side merge of one batch's history buckets: one EVAL per batch, inside the batch's MULTI/EXEC.

Why EVAL of the script text and not EVALSHA with a NOSCRIPT fallback: the script runs inside the writer's
transaction, next to the batch id and the input watermark, so a batch's buckets are merged exactly when its list
entries are written (a batch retried after an unknown outcome is sent again only when its id is not stored, so a
bucket is never merged twice; a batch handed over is replayed by the next writer from the watermark). Inside MULTI a
NOSCRIPT reply comes only at EXEC, after the rest of the batch was applied, and re-sending the script alone would need
a second, non-atomic path. EVAL costs Redis one SHA-1 of these ~2 KB per batch (batches flush at most every 50 ms
at a trickle and carry thousands of events under load) and compiles the script once: Redis caches it by its SHA.

KEYS: [1] the series index, then the chunk keys, then the step keys, in the order of ARGV's groups.
ARGV: now_ms, index_keep_ms, n_index, (series, latest_ms) x n_index,
      n_chunks, per chunk key: expire_at_s, chunk_bytes, n, n x (slot, min, max, last, pos, nonfinite, count, sum),
      n_steps, per step key: width, ttl_s, n, n x (slot, min, max, last, pos, nonfinite, count, sum).
min/max/last arrive already rounded to float32 (so comparisons here and in the packed record agree).
The record layout and the merge rule are rollup-layout.ts's and bucket-agg.ts's.
*/

export const ROLLUP_SCRIPT = `
local REC = 28
local FMT = '<fffHHId'
local HDR = 8
local SLOTS = 4096
local a = 1
local function nextarg() local v = ARGV[a]; a = a + 1; return v end
local function nextnum() return tonumber(nextarg()) end

local function merge(mn, mx, last, pos, nf, cnt, sum, omn, omx, olast, opos, onf, ocnt, osum)
  if ocnt > 0 then
    if cnt > 0 then
      if omn < mn then mn = omn end
      if omx > mx then mx = omx end
      if opos > pos or (opos == pos and olast > last) then last = olast; pos = opos end
    else
      mn = omn; mx = omx; last = olast; pos = opos
    end
  end
  cnt = cnt + ocnt
  if cnt > 4294967295 then cnt = 4294967295 end
  nf = nf + onf
  if nf > 65535 then nf = 65535 end
  return mn, mx, last, pos, nf, cnt, sum + osum
end

local function mergeAt(key, off, mn, mx, last, pos, nf, cnt, sum)
  local old = redis.call('GETRANGE', key, off, off + REC - 1)
  if #old == REC then
    local omn, omx, olast, opos, onf, ocnt, osum = struct.unpack(FMT, old)
    mn, mx, last, pos, nf, cnt, sum = merge(mn, mx, last, pos, nf, cnt, sum, omn, omx, olast, opos, onf, ocnt, osum)
  end
  redis.call('SETRANGE', key, off, struct.pack(FMT, mn, mx, last, pos, nf, cnt, sum))
end

local now = nextnum()
local keep = nextnum()
local nindex = nextnum()
for i = 1, nindex do
  local series = nextarg()
  local ms = nextarg()
  redis.call('ZADD', KEYS[1], 'GT', ms, series)
end
if nindex > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. tostring(now - keep))
  redis.call('PEXPIRE', KEYS[1], keep)
end

local k = 2
local nchunks = nextnum()
for c = 1, nchunks do
  local key = KEYS[k]; k = k + 1
  local expireAt = nextnum()
  local bytes = nextnum()
  local n = nextnum()
  if redis.call('STRLEN', key) < bytes then
    if redis.call('EXISTS', key) == 0 then
      redis.call('SET', key, string.rep('\\0', bytes))
      redis.call('EXPIREAT', key, expireAt)
    else
      redis.call('SETRANGE', key, bytes - 1, '\\0')
    end
  end
  for r = 1, n do
    local slot = nextnum()
    mergeAt(key, slot * REC, nextnum(), nextnum(), nextnum(), nextnum(), nextnum(), nextnum(), nextnum())
  end
end

-- Re-express a bucket at width w (slot, pos) at width w * f (f a power of two).
local function coarsen(slot, pos, f)
  local s = math.floor(slot / f)
  return s, math.floor(((slot - s * f) * 65536 + pos) / f)
end

local nsteps = nextnum()
for c = 1, nsteps do
  local key = KEYS[k]; k = k + 1
  local width = nextnum()
  local ttl = nextnum()
  local n = nextnum()
  local head = redis.call('GETRANGE', key, 0, HDR - 1)
  local stored = width
  if #head == HDR then
    stored = struct.unpack('<d', head)
  else
    redis.call('SET', key, struct.pack('<d', width) .. string.rep('\\0', SLOTS * REC))
  end
  if width > stored then
    -- The run outgrew the stored width: merge neighbouring buckets, in place, into the wider ones.
    local f = width / stored
    local body = redis.call('GETRANGE', key, HDR, HDR + SLOTS * REC - 1)
    local out = {}
    for i = 0, SLOTS - 1 do
      local mn, mx, last, pos, nf, cnt, sum = struct.unpack(FMT, body, i * REC + 1)
      if cnt > 0 or nf > 0 then
        local s, p = coarsen(i, pos, f)
        local o = out[s]
        if o == nil then
          out[s] = {mn, mx, last, p, nf, cnt, sum}
        else
          local m1, m2, m3, m4, m5, m6, m7 = merge(o[1], o[2], o[3], o[4], o[5], o[6], o[7], mn, mx, last, p, nf, cnt, sum)
          out[s] = {m1, m2, m3, m4, m5, m6, m7}
        end
      end
    end
    local parts = {struct.pack('<d', width)}
    local zero = string.rep('\\0', REC)
    for i = 0, SLOTS - 1 do
      local o = out[i]
      if o == nil then parts[#parts + 1] = zero else parts[#parts + 1] = struct.pack(FMT, o[1], o[2], o[3], o[4], o[5], o[6], o[7]) end
    end
    redis.call('SET', key, table.concat(parts), 'KEEPTTL')
    stored = width
  end
  local f = stored / width
  for r = 1, n do
    local slot = nextnum()
    local mn = nextnum(); local mx = nextnum(); local last = nextnum(); local pos = nextnum()
    local nf = nextnum(); local cnt = nextnum(); local sum = nextnum()
    if f > 1 then slot, pos = coarsen(slot, pos, f) end
    if slot < SLOTS then mergeAt(key, HDR + slot * REC, mn, mx, last, pos, nf, cnt, sum) end
  end
  redis.call('EXPIRE', key, ttl)
end
return nchunks + nsteps
`;
