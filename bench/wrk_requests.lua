-- wrk script for bench/load.py: cycles through the requests listed in a file, one per line:
--   METHOD<TAB>PATH[<TAB>urlencoded body]
-- args: <file> <cookie header or "-"> [unique]. Prints one JSON line with the figures at the end.
-- "unique": every GET gets its own never-repeated query parameter (_n=<salt>-<counter>), so no
-- two requests share a URL (the app's list cache never answers one).
local requests = {}
local lines = {}
local next_index = 0
local unique = false
local salt = ""

init = function(args)
  local cookie = args[2]
  unique = args[3] == "unique"
  math.randomseed(os.time() + os.clock() * 1000000)
  salt = tostring(math.random(1, 2147483647))
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
    lines[#lines + 1] = {method = method, path = path, headers = headers, body = body}
  end
end

request = function()
  next_index = next_index + 1
  local i = (next_index - 1) % #requests + 1
  if unique and lines[i].method == "GET" then
    local line = lines[i]
    local sep = line.path:find("?", 1, true) and "&" or "?"
    return wrk.format("GET", line.path .. sep .. "_n=" .. salt .. "-" .. next_index,
                      line.headers, nil)
  end
  return requests[i]
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
