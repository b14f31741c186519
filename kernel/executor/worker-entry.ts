// The executor thread's entry: captures the global intrinsics before anything else loads (see
// intrinsics.ts), then starts the executor (worker.ts), whose code then never sees a notebook's
// rebinding of a global name.
import "./intrinsics";
import { parentPort, workerData } from "node:worker_threads";
import type { ExecutorData } from "./messages";
import { startExecutor } from "./worker";

startExecutor(parentPort!, workerData as ExecutorData);
