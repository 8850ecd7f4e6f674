-- wrk script: purchases with unique requestIds and a realistic spread of userIds.
-- Each wrk thread numbers its requests apart from the others; users repeat (shoppers retry).
local counter = 0
local threadId = 0
local threadCount = 0

function setup(thread)
    thread:set("threadId", threadCount)
    threadCount = threadCount + 1
end

function init(args)
    eventId = os.getenv("EVENT_ID") or "bench"
    waitMs = os.getenv("WAIT_MS") or "5000"
    users = tonumber(os.getenv("USERS") or "200000")
    math.randomseed(threadId * 7919 + os.time())
end

function request()
    counter = counter + 1
    local requestId = threadId .. "-" .. counter
    local userId = "user-" .. math.random(1, users)
    local body = '{"requestId":"' .. requestId .. '","userId":"' .. userId .. '","quantity":1}'
    return wrk.format("POST", "/api/v1/events/" .. eventId .. "/purchases?wait=" .. waitMs,
                      {["Content-Type"] = "application/json"}, body)
end

local statuses = {}
function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
    io.write(string.format("RESULT requests=%d duration_s=%.3f rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
        summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
