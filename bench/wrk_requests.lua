-- wrk script for bench/load.py: cycles through the requests listed in a file, one per line:
--   METHOD<TAB>PATH[<TAB>urlencoded body]
-- args: <file> <cookie header or "-">. Prints one JSON line with the figures at the end.
local requests = {}
local next_index = 0

init = function(args)
  local cookie = args[2]
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    local headers = {}
    if cookie and cookie ~= "-" then headers["Cookie"] = cookie end
    if method == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
    else
      body = nil
    end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
end

request = function()
  next_index = next_index + 1
  return requests[(next_index - 1) % #requests + 1]
end

done = function(summary, latency, _requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "non_2xx_3xx": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.status,
    e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
