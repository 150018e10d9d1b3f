-- Shared by the wrk scripts: every thread counts its responses that are not 2xx (per status), and done()
-- prints one JSON line (prefixed "RESULT ") that bench.mjs reads: requests, non-2xx, wrk's
-- socket errors, latency percentiles in microseconds.
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

non2xx = 0
codes = {}
function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    codes[status] = (codes[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  local all = {}
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    for k, v in pairs(t:get("codes")) do all[k] = (all[k] or 0) + v end
  end
  local statuses = {}
  for k, v in pairs(all) do statuses[#statuses + 1] = string.format('"%d":%d', k, v) end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"duration_us":%d,"requests":%d,"bytes":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"status_ge400":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,"statuses":{%s}}\n',
    summary.duration, summary.requests, summary.bytes, bad, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(statuses, ",")))
end

-- Reads a file of lines.
function read_lines(path)
  local out = {}
  for line in io.lines(path) do if line ~= "" then out[#out + 1] = line end end
  return out
end
