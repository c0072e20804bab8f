-- bench/rest.lua — the wrk script of bench/rest.sh.
--
--   wrk -t1 -c32 -d10s -s bench/rest.lua http://127.0.0.1:PORT/api/tasks/1
--
-- Every request is a plain GET of the URL's path (wrk's default request,
-- with no extra header: no If-None-Match, so every answer carries the
-- whole body).  Every response is checked: it counts as good when its
-- status is 200 and its body has "id":1 followed by , or } (whitespace
-- around the colon allowed, as Python's json writes "id": 1).
-- At the end one line sums it up over wrk's threads, for the script to read:
--   rest_lua requests N duration_us D good G bad B connect_errors C
--     read_errors R write_errors W timeouts T non_2xx_3xx S load_cpu_s X
-- (on one line), then, if a response was bad, the first one seen:
--   rest_lua first_bad status 404 body {"error":...
-- load_cpu_s is the CPU time of the whole wrk process (all its threads),
-- from os.clock(), start-up included.

wrk.method = "GET"

local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

-- Per thread (each wrk thread has its own Lua state); globals so that
-- done() can read them with thread:get().
good = 0
bad = 0
first_bad = ""

function response(status, headers, body)
   if status == 200 and body and string.find(body, '"id"%s*:%s*1%s*[,}]') then
      good = good + 1
   else
      bad = bad + 1
      if first_bad == "" then
         first_bad = "status " .. status .. " body "
            .. string.sub(string.gsub(body or "", "[\r\n]", " "), 1, 200)
      end
   end
end

function done(summary, latency, requests)
   local g, b, sample = 0, 0, ""
   for _, thread in ipairs(threads) do
      g = g + thread:get("good")
      b = b + thread:get("bad")
      if sample == "" then sample = thread:get("first_bad") end
   end
   local e = summary.errors
   io.write(string.format(
      "rest_lua requests %d duration_us %d good %d bad %d"
         .. " connect_errors %d read_errors %d write_errors %d timeouts %d"
         .. " non_2xx_3xx %d load_cpu_s %.3f\n",
      summary.requests, summary.duration, g, b,
      e.connect, e.read, e.write, e.timeout, e.status, os.clock()))
   if sample ~= "" then
      io.write("rest_lua first_bad " .. sample .. "\n")
   end
end
