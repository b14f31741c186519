// Reads a Jupyter connection file (the `-f` argument): transport, ip, ports and key.
// Knows the file format (jupyter_client's connection files); nothing of messages.
import * as fs from "node:fs";

/** Contents of a connection file, as jupyter_client writes it. Ports are TCP ports. */
export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  /** HMAC key; "" disables signing. */
  key: string;
  /** e.g. "hmac-sha256". */
  signature_scheme: string;
  kernel_name?: string;
}

/**
 * Reads and checks a connection file.
 * @throws Error naming the file and the missing field when it is unreadable or incomplete.
 */
export function readConnectionFile(file: string): ConnectionInfo {
  const info = JSON.parse(fs.readFileSync(file, "utf8")) as ConnectionInfo;
  for (const field of ["ip", "shell_port", "control_port", "stdin_port", "iopub_port", "hb_port"] as const) {
    if (info[field] === undefined) throw new Error(`connection file ${file} has no ${field}`);
  }
  info.transport = info.transport ?? "tcp";
  info.key = info.key ?? "";
  info.signature_scheme = info.signature_scheme ?? "hmac-sha256";
  return info;
}

/** The ZeroMQ endpoint for one channel, e.g. "tcp://127.0.0.1:5555" or "ipc://path-1". */
export function endpoint(info: ConnectionInfo, port: number): string {
  return info.transport === "ipc" ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}
