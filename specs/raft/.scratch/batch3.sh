A='"max-in-flight":3'
timeout 300 npx tsx .scratch/exp.ts raft "{$A}" 3000000 2>/dev/null
for v in forget-vote no-log-check stale-read duplicate-append replay-uncommitted commit-prior-term; do
  timeout 300 npx tsx .scratch/exp.ts raft "{$A,\"variant\":\"$v\"}" 3000000 2>/dev/null
done
timeout 300 npx tsx .scratch/exp.ts raft "{$A,\"variant\":\"replay-uncommitted\"}" 3000000 sym0 LeaderCompleteness,AppliedEntriesStay 2>/dev/null
