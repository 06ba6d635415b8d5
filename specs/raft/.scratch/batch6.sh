for v in forget-vote no-log-check duplicate-append stale-read replay-uncommitted; do
  timeout 600 npx tsx .scratch/exp.ts raft "{\"variant\":\"$v\"}" 3000000 2>/dev/null
done
timeout 600 npx tsx .scratch/exp.ts raft "{\"variant\":\"replay-uncommitted\"}" 3000000 x LeaderCompleteness,AppliedEntriesStay 2>/dev/null
