/**
The server-side merge of one batch's history buckets: EVALs of at most 128 keys per batch, inside the batch's MULTI/EXEC.

Why EVAL of the script text and not EVALSHA with a NOSCRIPT fallback: the script runs inside the writer's
transaction, next to the batch id and the input watermark, so a batch's buckets are merged exactly when its list
entries are written (a batch retried after an unknown outcome is sent again only when its id is not stored, so a
bucket is never merged twice; a batch handed over is replayed by the next writer from the watermark). Inside MULTI a
NOSCRIPT reply comes only at EXEC, after the rest of the batch was applied, and re-sending the script alone would need
a second, non-atomic path. EVAL costs Redis one SHA-1 of these ~2.5 KB per batch (batches flush at most every 200 ms
at a trickle and carry thousands of events under load) and compiles the script once: Redis caches it by its SHA.

KEYS: [1] the series index, then the chunk keys, in the order of ARGV's groups.
ARGV: now_ms, index_keep_ms, n_index, (series, latest_ms) x n_index,
      n_chunks, per chunk key: expire_at_s, chunk_bytes, records.
`records` is binary, ascending by slot: per bucket a u32 slot (little-endian) and the 28-byte record of
rollup-layout.ts, already packed by the writer (min/max/last rounded to float32), so a bucket written for the first
time is a plain copy; only a bucket that already holds samples is unpacked, merged (bucket-agg.ts's rule) and packed
again. A key of another type (another program wrote it) is skipped, the rest merged: the script then answers an error
naming the count and the first keys (`WRONGTYPE 2 history key(s) of another type skipped: ...`), which the writer
counts as Redis's refusals inside an applied transaction (write-batcher.ts). A key's records are merged into one GETRANGE of the slots they span and written back with one SETRANGE: two
Redis calls per key and a few string operations per bucket, whatever the batch holds.
*/

export const ROLLUP_SCRIPT = `
local REC = 28
local IN = 32
local FMT = '<fffHHId'
local ZERO = string.rep('\\0', REC)
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

local function mergeRecords(old, new)
  if old == ZERO or #old ~= REC then return new end
  local mn, mx, last, pos, nf, cnt, sum = struct.unpack(FMT, new)
  local omn, omx, olast, opos, onf, ocnt, osum = struct.unpack(FMT, old)
  return struct.pack(FMT, merge(mn, mx, last, pos, nf, cnt, sum, omn, omx, olast, opos, onf, ocnt, osum))
end

-- Merge records (slots[i], recs[i]; slots ascending) into key, whose slot 0 is at byte base: one GETRANGE of the
-- slots they span, one SETRANGE of the same bytes rebuilt (untouched stretches copied whole). Returns false when the
-- key does not hold those bytes (a chunk key not created yet), 'wrongtype' when it is not a string (another program's).
local function apply(key, base, slots, recs)
  local n = #slots
  if n == 0 then return true end
  local lo, hi = slots[1], slots[n]
  local range = redis.pcall('GETRANGE', key, base + lo * REC, base + (hi + 1) * REC - 1)
  if type(range) == 'table' then return 'wrongtype' end
  if #range ~= (hi - lo + 1) * REC then return false end
  local out = {}
  local at = 0
  local i = 1
  while i <= n do
    local o = (slots[i] - lo) * REC
    local rec = recs[i]
    -- Records of one slot (never sent by the writer; kept correct all the same) merged first.
    while i < n and slots[i + 1] == slots[i] do i = i + 1; rec = mergeRecords(rec, recs[i]) end
    if o > at then out[#out + 1] = string.sub(range, at + 1, o) end
    out[#out + 1] = mergeRecords(string.sub(range, o + 1, o + REC), rec)
    at = o + REC
    i = i + 1
  end
  redis.call('SETRANGE', key, base + lo * REC, table.concat(out))
  return true
end

local function records(blob)
  local slots, recs = {}, {}
  for i = 0, math.floor(#blob / IN) - 1 do
    slots[i + 1] = struct.unpack('<I4', blob, i * IN + 1)
    recs[i + 1] = string.sub(blob, i * IN + 5, i * IN + IN)
  end
  return slots, recs
end

local now = nextnum()
local keep = nextnum()
local nindex = nextnum()
local zargs = {}
-- Keys of another type (another program wrote them): left alone, the rest merged, named in the reply.
local skipped = {}
local indexBad = false
for i = 1, nindex do
  local series = nextarg()
  zargs[#zargs + 1] = nextarg()
  zargs[#zargs + 1] = series
  if #zargs >= 1000 or i == nindex then
    if type(redis.pcall('ZADD', KEYS[1], 'GT', unpack(zargs))) == 'table' then indexBad = true end
    zargs = {}
  end
end
if indexBad then
  skipped[#skipped + 1] = KEYS[1]
elseif nindex > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. tostring(now - keep))
  redis.call('PEXPIRE', KEYS[1], keep)
end

local k = 2
local nchunks = nextnum()
for c = 1, nchunks do
  local key = KEYS[k]; k = k + 1
  local expireAt = nextnum()
  local bytes = nextnum()
  local slots, recs = records(nextarg())
  local done = apply(key, 0, slots, recs)
  if done == 'wrongtype' then
    skipped[#skipped + 1] = key
  elseif not done then
    -- A new chunk (or a short one another version left): allocated whole, with its expiry, then merged into.
    if redis.call('EXISTS', key) == 0 then
      redis.call('SET', key, string.rep(ZERO, bytes / REC))
      redis.call('EXPIREAT', key, expireAt)
    else
      redis.call('SETRANGE', key, bytes - 1, '\\0')
    end
    apply(key, 0, slots, recs)
  end
end

if #skipped > 0 then
  return redis.error_reply('WRONGTYPE ' .. #skipped .. ' history key(s) of another type skipped: ' .. table.concat(skipped, ' ', 1, math.min(#skipped, 3)))
end
return nchunks
`;

/** The keys the merge script skipped, from its error reply (`WRONGTYPE 2 history key(s) ...: k1 k2`); undefined otherwise. Pure. */
export function rollupSkips(message: string): {readonly count: number; readonly first: string} | undefined {
	const match = /^WRONGTYPE (\d+) history key\(s\) of another type skipped: (\S+)/.exec(message);
	if (match === null) return undefined;
	return {count: Number(match[1]), first: match[2]!};
}
