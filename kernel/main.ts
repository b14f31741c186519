// The kernel process's entry point: `node dist/kernel/main.js -f <connection file>`. Wires the
// sockets (main thread) to the protocol core and the executor worker; owns SIGINT.
import * as fs from "node:fs";
import * as path from "node:path";
import { loadPythonConfig } from "../python-env/config";
import { Executor } from "./executor/executor";
import { TspyInterpreter } from "./executor/interpreter";
import { KernelProtocol } from "./protocol/kernel";
import { readConnectionFile } from "./wire/connection";
import { MessageCodec } from "./wire/message";
import { KernelSockets } from "./wire/sockets";

/** Reads `-f <file>` (or `--connection-file <file>` / `-f=<file>`) from argv. */
function connectionFileArg(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-f" || a === "--connection-file") return argv[i + 1];
    const m = /^(?:-f|--connection-file)=(.+)$/.exec(a);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * Calls `use(bridge)` for an interrupt: the bridge is loaded on this thread at the first interrupt
 * (not at start-up, which stays fast) and only to deliver interrupts; Python never starts here.
 * @param what names the action in the log line written when the bridge cannot be loaded.
 */
function viaBridge(what: string, use: (bridge: typeof import("../bridge/lib/index")) => void): () => void {
  let bridge: typeof import("../bridge/lib/index") | null = null;
  return () => {
    try {
      if (!bridge) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const b = require("../bridge/lib/index") as typeof import("../bridge/lib/index");
        b.loadBridge();
        bridge = b;
      }
      use(bridge);
    } catch (e) {
      process.stderr.write(`tspy: cannot ${what}: ${(e as Error).message}\n`);
    }
  };
}

/** Interrupts Python on the executor (bridge.interrupt). */
function pythonInterrupter(): () => void {
  return viaBridge("interrupt Python", (bridge) => bridge.interrupt());
}

/** Terminates the TypeScript the executor runs (bridge.requestTermination). */
function tsTerminator(): () => void {
  return viaBridge("terminate TypeScript", (bridge) => void bridge.requestTermination());
}

/** The embedded Python's version as configured (read without starting it), or null. */
function configuredPythonVersion(): string | null {
  try {
    return loadPythonConfig().version;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const file = connectionFileArg(process.argv.slice(2));
  if (!file) {
    process.stderr.write("usage: node dist/kernel/main.js -f <connection_file>\n");
    process.exit(2);
  }
  const info = readConnectionFile(file);
  const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, "..", "..", "package.json"), "utf8")) as { version: string };
  // typescript's version without loading the compiler on this thread (it loads on the executor).
  const tsVersion = (JSON.parse(fs.readFileSync(require.resolve("typescript/package.json"), "utf8")) as { version: string }).version;
  // matplotlib must never open a window from the kernel.
  process.env.MPLBACKEND ??= "Agg";
  const executor = new Executor(process.cwd(), pythonInterrupter(), tsTerminator());
  const sockets = new KernelSockets(info, new MessageCodec(info.key, info.signature_scheme));
  // The executor starts Python in parallel; requests wait for it in its queue, kernel_info does not.
  void executor.ready.then((ready) => {
    if (ready.pythonError) process.stderr.write(`tspy: Python did not start; TypeScript cells still run:\n${ready.pythonError}\n`);
  });
  const protocol = new KernelProtocol(
    { create: (t, c, p) => sockets.codec.create(t, c, p), send: (ch, m) => sockets.send(ch, m) },
    new TspyInterpreter(executor, { implementation: pkg.version, typescript: tsVersion, python: configuredPythonVersion() }),
    {
      implementationVersion: pkg.version,
      ports: { shell_port: info.shell_port, iopub_port: info.iopub_port, stdin_port: info.stdin_port, control_port: info.control_port, hb_port: info.hb_port },
    },
    (_restart, exitCode) => void shutdown(exitCode),
  );
  /**
   * The orderly end (messaging spec, "Kernel shutdown"; ipykernel's order): the reply and idle are
   * out; Python's atexit handlers run and its open files are flushed; the output they print is
   * published; the sockets send what they hold; then the process ends with `exitCode` through
   * _exit, so no teardown can crash while other threads still use the interpreter.
   */
  let ending = false;
  const shutdown = async (exitCode: number): Promise<void> => {
    if (ending) return;
    ending = true;
    await executor.shutdown();
    await sockets.close();
    // ipykernel also waits 0.1 s for ZeroMQ's I/O thread to put the last messages on the wire.
    setTimeout(() => executor.exitProcess(exitCode), 100);
  };
  // The executor died (out of memory): its cell got an error reply; exit so the client restarts us.
  executor.onDeath = (why) => {
    process.stderr.write(`tspy: ${why}\n`);
    protocol.shutdownAfterCurrent(1);
  };
  // SIGTERM (a client's fallback after shutdown_request) ends the kernel the same orderly way.
  process.on("SIGTERM", () => void shutdown(0));
  // SIGINT is the default interrupt_mode: it interrupts the running cell and never kills the kernel.
  process.on("SIGINT", () => protocol.interrupt());
  await sockets.bind((channel, msg) => protocol.onMessage(channel, msg));
  process.stderr.write(`tspy: kernel ready (pid ${process.pid})\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`tspy: kernel failed to start: ${e.stack}\n`);
  process.exit(1);
});
