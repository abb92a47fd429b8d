-- Prints one machine-readable line at the end of a wrk run:
-- "RESULT requests duration_us p50_us p95_us p99_us errors non2xx timeouts"
-- (errors: socket errors, timeouts included; a request wrk gave up on
-- after its timeout is not in the latencies)
-- and, with PATHS set, spreads requests over the paths in that file.
local paths = {}
local counter = 0

function init(args)
  local file = os.getenv("PATHS")
  if file and file ~= "" then
    for line in io.lines(file) do paths[#paths + 1] = line end
  end
end

function request()
  if #paths == 0 then return wrk.format() end
  counter = counter + 1
  return wrk.format(nil, paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors, summary.errors.status, summary.errors.timeout))
end
