-- wrk script of bench/pages.py: requests read from a data file (one per line:
-- METHOD \t PATH \t COOKIE \t BODY), taken in turn; "@TOKEN@" in a body becomes a value
-- unique to the request (a quiz form's one-time attempt token).
local lines = {}
local counter = 0
local created = 0

function setup(thread)
  created = created + 1
  thread:set("tid", created)
end

function init(args)
  for line in io.lines(args[1]) do
    local method, path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    table.insert(lines, {method, path, cookie, body})
  end
  counter = (tid or 1) * 10000000
end

function request()
  counter = counter + 1
  local r = lines[(counter % #lines) + 1]
  local headers = {["User-Agent"] = "digilit-bench"}
  if r[3] ~= "" then headers["Cookie"] = r[3] end
  local body = nil
  if r[1] == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    body = (r[4]:gsub("@TOKEN@", "bench" .. counter))
  end
  return wrk.format(r[1], r[2], headers, body)
end
