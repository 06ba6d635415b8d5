for o in '{"max-term":2,"retries":0,"max-in-flight":3}' '{"max-term":2,"retries":0,"max-in-flight":4}' '{"max-term":2,"retries":0,"requests":1}' '{"max-term":2,"retries":0,"max-in-flight":3,"crashes":1}' '{"max-term":2,"retries":0,"max-log":3}'; do
  timeout 300 npx tsx .scratch/exp.ts raft "$o" 2000000 2>/dev/null
done
