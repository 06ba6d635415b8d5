for o in '{"max-term":2,"retries":0,"crashes":1,"max-in-flight":4,"max-log":3}' '{"max-term":2,"retries":0,"crashes":1,"max-in-flight":4,"requests":1,"clients":2}' ; do
  timeout 400 npx tsx .scratch/exp.ts raft "$o" 3000000 2>&1 | tail -2
done
