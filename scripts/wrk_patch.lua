-- wrk script for scripts/bench: sends the same PATCH bodies as the apply cases, cycling through
-- every assessment of a requests file ('id<TAB>PATCH body' per line, from scripts/bench_data.py).
--
--   ENNEO_TOKEN=... wrk -t2 -c16 -d10s -s scripts/wrk_patch.lua http://127.0.0.1:PORT -- REQUESTS_FILE /api/mind
--
-- Each thread starts at a different offset; requests are formatted once, up front.

local counter = 0

function setup(thread)
   thread:set("thread_index", counter)
   counter = counter + 1
end

function init(args)
   local path = args[1]
   local base = args[2] or "/api/mind"
   local token = os.getenv("ENNEO_TOKEN")
   if path == nil or token == nil then
      error("usage: ENNEO_TOKEN=... wrk ... -s wrk_patch.lua URL -- REQUESTS_FILE [BASE_PATH]")
   end
   local headers = {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
   }
   requests = {}
   for line in io.lines(path) do
      local id, body = line:match("^(%d+)\t(.*)$")
      if id then
         table.insert(requests, wrk.format("PATCH", base .. "/quality/assessment/" .. id, headers, body))
      end
   end
   if #requests == 0 then
      error("no requests in " .. path)
   end
   local index = tonumber(thread_index) or 0
   position = math.floor(#requests * index / 4) % #requests
end

function request()
   position = position + 1
   if position > #requests then
      position = 1
   end
   return requests[position]
end
