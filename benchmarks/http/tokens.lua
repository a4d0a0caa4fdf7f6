-- wrk script: each request carries the next token of a file (one per line); threads take interleaved tokens, so with
-- enough tokens none is sent twice. Usage: wrk ... -s tokens.lua URL -- TOKENS_FILE THREADS
local tokens = {}
local next_index, stride = 0, 1
local thread_count = 0

function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  for line in io.lines(args[1]) do
    tokens[#tokens + 1] = "Bearer " .. line
  end
  stride = tonumber(args[2])
  next_index = thread_id
end

function request()
  local token = tokens[(next_index % #tokens) + 1]
  next_index = next_index + stride
  return wrk.format("GET", "/api", { ["Authorization"] = token })
end

function done(summary, latency, requests)
  io.write(string.format('{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
