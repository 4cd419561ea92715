-- wrk script for scripts/load.sh: counts every answer that is not the
-- expected status (a redirect to the login page is a failure, not a
-- success) and prints one tab-separated line of figures at the end.
-- Environment: LOAD_EXPECT (default 200), LOAD_METHOD, LOAD_BODY, and
-- LOAD_PATHS (space-separated) to GET several paths in turn (the soak),
-- LOAD_BODIES (space-separated) to POST several bodies in turn, LOAD_UNIQUE=1
-- to add a query of its own to each request (never the same address twice).
local expect = tonumber(os.getenv("LOAD_EXPECT") or "200")
local threads = {}
local paths = {}
for p in string.gmatch(os.getenv("LOAD_PATHS") or "", "%S+") do
  table.insert(paths, p)
end
local bodies = {}
for b in string.gmatch(os.getenv("LOAD_BODIES") or "", "%S+") do
  table.insert(bodies, b)
end

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  unexpected = 0
  n = 0
  local method = os.getenv("LOAD_METHOD")
  if method and method ~= "" then
    wrk.method = method
    wrk.body = os.getenv("LOAD_BODY") or ""
    wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
end

if #bodies > 0 then
  function request()
    n = n + 1
    return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])
  end
elseif os.getenv("LOAD_UNIQUE") == "1" then
  -- Each request at an address of its own (`?r=`): no page is read twice.
  function request()
    n = n + 1
    return wrk.format("GET", wrk.path .. "?r=" .. id .. "-" .. n)
  end
elseif #paths > 0 then
  function request()
    n = n + 1
    return wrk.format("GET", paths[(n % #paths) + 1])
  end
end

function response(status, headers, body)
  if status ~= expect then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  -- rps, p50, p95, p99 (ms), answers other than expected, timeouts, socket errors, requests
  io.write(string.format("FIGURES\t%.0f\t%.1f\t%.1f\t%.1f\t%d\t%d\t%d\t%d\n",
    summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    bad, e.timeout, e.connect + e.read + e.write, summary.requests))
end
