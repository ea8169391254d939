-- One wrk script for every case of the HTTP benchmark (`just bench-http`):
-- CASE picks the request, TOKEN authenticates, N is the number of tickets
-- (ids 1..N). Each wrk thread has its own Lua state, so the idempotency keys
-- carry the thread's seed.
local case = os.getenv("CASE")
local token = os.getenv("TOKEN")
local n = tonumber(os.getenv("N"))
local counter = 0
-- Global on purpose: setup() (main state) sets it in each thread's state.
seed = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init(args)
  math.randomseed(os.time() * 100 + (seed or 0))
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
end

local priorities = { "low", "medium", "high", "critical" }

function request()
  counter = counter + 1
  local id = math.random(1, n)
  if case == "list" then
    return wrk.format("GET", "/api/v1/tickets?limit=50")
  elseif case == "get" then
    return wrk.format("GET", "/api/v1/tickets/" .. id)
  elseif case == "counts" then
    return wrk.format("GET", "/api/v1/tickets/counts")
  elseif case == "create" then
    local key = string.format("wrk-%d-%d-%d-%d", os.time(), seed or 0, counter, math.random(1, 1e9))
    -- A headers table replaces wrk.headers, so it carries them too.
    local headers = { ["Idempotency-Key"] = key }
    for k, v in pairs(wrk.headers) do headers[k] = v end
    return wrk.format("POST", "/api/v1/tickets", headers,
      '{"subject":"Parcel arrived broken","description":"Created by wrk","priority":"high","tags":["wrk","bench"]}')
  elseif case == "patch" then
    -- Resolved tickets (id % 4 == 1 in the dataset) of a type that needs a
    -- root cause refuse a change without one: patch the others.
    if id % 4 == 1 then id = id + 1 end
    return wrk.format("PATCH", "/api/v1/tickets/" .. id, nil,
      '{"priority":"' .. priorities[math.random(1, 4)] .. '"}')
  elseif case == "comment" then
    return wrk.format("POST", "/api/v1/tickets/" .. id .. "/comments", nil,
      '{"body":"Called the customer back, replacement sent.","internal":true}')
  end
  error("unknown CASE " .. tostring(case))
end
