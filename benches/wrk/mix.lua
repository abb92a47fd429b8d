-- The "mix": each request asks for one path of the file PATHS (most
-- popular first, from benches/mix.py), the path of rank i with probability
-- proportional to 1 / (i + 1)^s (Zipf-like; MIX_S, default 1).
-- Prints, at the end, the line report.lua prints,
-- "RESULT requests duration_us p50_us p95_us p99_us errors non2xx timeouts",
-- then "DISTINCT n of m": how many of the m paths were asked for at least once.
local paths = {}
local cumulative = {}
local threads = {}
-- Global, so that done() can read each thread's copy with thread:get.
seen = {}

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
  local s = tonumber(os.getenv("MIX_S") or "1")
  local total = 0
  for i = 1, #paths do
    total = total + 1 / (i ^ s)
    cumulative[i] = total
  end
  for i = 1, #paths do cumulative[i] = cumulative[i] / total end
  -- Each thread draws its own sequence, the same from run to run.
  math.randomseed(1000 + id)
end

-- The first rank whose cumulative probability reaches u.
local function pick(u)
  local low, high = 1, #cumulative
  while low < high do
    local middle = math.floor((low + high) / 2)
    if cumulative[middle] < u then low = middle + 1 else high = middle end
  end
  return low
end

function request()
  local rank = pick(math.random())
  seen[rank] = true
  return wrk.format(nil, paths[rank])
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors, summary.errors.status, summary.errors.timeout))
  local union, count, total = {}, 0, 0
  for _, thread in ipairs(threads) do
    for rank in pairs(thread:get("seen")) do
      if not union[rank] then union[rank] = true; count = count + 1 end
    end
  end
  for _ in io.lines(os.getenv("PATHS")) do total = total + 1 end
  io.write(string.format("DISTINCT %d of %d\n", count, total))
end
