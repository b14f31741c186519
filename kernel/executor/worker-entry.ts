// The executor thread's entry: captures the global intrinsics before anything else loads (see
// intrinsics.ts), then starts the executor (worker.ts), whose code then never sees a notebook's
// rebinding of a global name.
import "./intrinsics";
import "./worker";
