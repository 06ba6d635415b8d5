#!/usr/bin/env node
// The workspaces are TypeScript run from source; tsx is resolved from here, so
// the command works from any directory.
import { register } from "tsx/esm/api"

register()
await import("../src/main.ts")
