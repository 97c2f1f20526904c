-- wrk script: POST distinct JSON bodies read from a file (one per line), bearer token auth.
-- Usage: wrk -t THREADS -s benchmarks/wrk_post.lua URL -- BODIES_FILE TOKEN THREADS
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  bodies = {}
  for line in io.lines(args[1]) do
    bodies[#bodies + 1] = line
  end
  token = args[2]
  -- each thread walks its own residue class modulo the number of threads, so no two send
  -- the same body and no body comes round again before all have been sent
  stride = tonumber(args[3])
  counter = id
end

function request()
  local body = bodies[(counter % #bodies) + 1]
  counter = counter + stride
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
