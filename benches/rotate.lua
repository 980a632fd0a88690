-- wrk script: each request takes the next path of a list, so that no two requests in a
-- row ask the same thing and no cache in front of the database can answer them.
-- Usage: wrk ... -s benches/rotate.lua URL -- PATHS_FILE   (one path per line)
-- Each thread starts at its own place in the list.

local paths = {}
local next_index = 1
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  next_index = ((id or 1) * 7919) % #paths + 1
end

function request()
  next_index = next_index % #paths + 1
  return wrk.format(nil, paths[next_index])
end
