/** The script of a checker worker thread run from source under tsx (see `worker-job.ts`). */
import { runWorkerJob } from "./worker-job.ts"

await runWorkerJob()
