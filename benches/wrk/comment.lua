-- POSTs a reader's comment on each request (PATHS: comment URLs).
local paths = {}
local counter = 0

function init(args)
  for line in io.lines(os.getenv("PATHS")) do paths[#paths + 1] = line end
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"author_name":"Bench %d","author_email":"bench%d@example.org","body":"Comment number %d from the load benchmark."}',
    counter, counter % 1000, counter)
  return wrk.format("POST", paths[(counter % #paths) + 1], {["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %d %d %d %d %d %d %d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors, summary.errors.status, summary.errors.timeout))
end
