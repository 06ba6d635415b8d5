for o in '{}' '{"crashes":0}' '{"crashes":0,"clients":1,"retries":1}' '{"variant":"forget-promise"}' '{"variant":"ignore-accepted"}'; do
  timeout 600 npx tsx .scratch/exp.ts mp "$o" 3000000 2>/dev/null
done
for v in forget-promise ignore-accepted; do
  timeout 600 npx tsx .scratch/exp.ts mp "{\"variant\":\"$v\",\"clients\":1,\"requests\":2}" 3000000 x AtMostOneChosenPerSlot 2>/dev/null
done
