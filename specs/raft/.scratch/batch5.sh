A='"max-in-flight":4'
for v in forget-vote no-log-check stale-read duplicate-append replay-uncommitted; do
  timeout 300 npx tsx .scratch/exp.ts raft "{$A,\"variant\":\"$v\"}" 3000000 2>/dev/null
done
timeout 300 npx tsx .scratch/exp.ts raft "{$A,\"variant\":\"replay-uncommitted\"}" 3000000 x LeaderCompleteness,AppliedEntriesStay 2>/dev/null
