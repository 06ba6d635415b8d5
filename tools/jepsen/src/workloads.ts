/** The workloads `parley test --workload` knows; add yours here (see workload.ts). */
import type { WorkloadFactory } from "./workload.ts"
import { register } from "./workloads/register.ts"

export const workloads: ReadonlyArray<WorkloadFactory> = [register]

export const findWorkload = (name: string): WorkloadFactory | undefined => workloads.find((workload) => workload.name === name)
