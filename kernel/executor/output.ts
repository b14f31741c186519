// The main thread's side of cell output, like ipykernel's OutStream on its IOPub thread: reads
// the captured fds 1 and 2 (every writer of both languages, any thread, C code, subprocesses),
// batches text into few `stream` messages, enforces the per-cell output limit. Knows streams,
// not sockets or languages.
import * as fs from "node:fs";
import * as net from "node:net";
import { StringDecoder } from "node:string_decoder";

/** A stream name of the messaging spec's `stream` message. */
export type StreamName = "stdout" | "stderr";

/** Where a batch goes: the `stream` callback of the request that produced it. */
export interface StreamTarget {
  stream(name: StreamName, text: string): void;
}

/** How output is batched and limited; see {@link outputSettings}. */
export interface OutputSettings {
  /** Longest time text waits before it is published, in ms (ipykernel: 200 ms). */
  intervalMs: number;
  /** Buffered text, in UTF-16 code units, that is published at once without waiting for the interval. */
  batchChars: number;
  /** Bytes (UTF-8) of stream output one request may publish; the rest is counted and replaced by a notice. */
  limitBytes: number;
}

/**
 * The settings in force: 50 ms batches, 4 Mi characters per message at most, and a per-cell limit
 * of 64 MiB, which `TSPY_CELL_OUTPUT_LIMIT_MB` (a number of MiB, 0 for no limit) overrides.
 * @throws Error when TSPY_CELL_OUTPUT_LIMIT_MB is set and is not a number >= 0.
 */
export function outputSettings(env: NodeJS.ProcessEnv = process.env): OutputSettings {
  const raw = env.TSPY_CELL_OUTPUT_LIMIT_MB;
  const mb = raw === undefined || raw === "" ? 64 : Number(raw);
  if (!Number.isFinite(mb) || mb < 0) throw new Error(`TSPY_CELL_OUTPUT_LIMIT_MB must be a number of MiB >= 0 (0: no limit), not ${JSON.stringify(raw)}`);
  return { intervalMs: 50, batchChars: 4 << 20, limitBytes: mb === 0 ? Infinity : mb * 1024 * 1024 };
}

/** What one target has published and what was cut (the per-cell limit). */
interface Account {
  bytes: number;
  droppedBytes: number;
  droppedLines: number;
  /** Whether the notice that output is being cut was published. */
  warned: boolean;
}

/**
 * Batches stream text per target in the order it was written and publishes it every
 * `intervalMs`, when a batch grows past `batchChars`, and whenever {@link flush} is called
 * (before a result, a display, an input request, an error and the request's idle). Text is never
 * dropped except past the per-request limit, where one notice says so and the request's end
 * says how much was cut.
 */
export class StreamBatcher {
  private segments: { name: StreamName; text: string }[] = [];
  private bufferedChars = 0;
  private target: StreamTarget | undefined;
  private timer: NodeJS.Timeout | null = null;
  private readonly accounts = new WeakMap<StreamTarget, Account>();
  private readonly sources: { fd: number; name: StreamName; decoder: StringDecoder; socket: net.Socket }[] = [];
  private readonly scratch = Buffer.allocUnsafe(1 << 20);

  /** @param settings batching and the per-request limit ({@link outputSettings}). */
  constructor(private readonly settings: OutputSettings = outputSettings()) {}

  /**
   * Starts reading a pipe's read end (fd) as the stream `name`; what arrives goes to the target
   * current when it is read.
   */
  attach(fd: number, name: StreamName, currentTarget: () => StreamTarget | undefined): void {
    const decoder = new StringDecoder("utf8");
    const socket = new net.Socket({ fd, readable: true, writable: false });
    socket.on("data", (chunk: Buffer) => this.append(currentTarget(), name, decoder.write(chunk)));
    socket.on("error", (e) => process.stderr.write(`tspy: reading captured ${name} failed: ${e.message}\n`));
    this.sources.push({ fd, name, decoder, socket });
  }

  /**
   * Reads, without waiting, whatever the captured fds hold now, so that text written before an
   * event the executor posted is published before that event.
   */
  drain(currentTarget: StreamTarget | undefined): void {
    for (const source of this.sources) {
      for (;;) {
        let n: number;
        try {
          n = fs.readSync(source.fd, this.scratch, 0, this.scratch.length, null);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "EAGAIN") break;
          throw e;
        }
        if (n <= 0) break;
        this.append(currentTarget, source.name, source.decoder.write(this.scratch.subarray(0, n)));
      }
    }
  }

  /** Adds text of `target`; a change of target publishes what the previous one had first. */
  append(target: StreamTarget | undefined, name: StreamName, text: string): void {
    if (!text) return;
    if (target !== this.target) {
      this.flush();
      this.target = target;
    }
    if (!target) return; // no request ever ran: nobody to show it to
    const account = this.account(target);
    const bytes = Buffer.byteLength(text);
    if (account.bytes + bytes > this.settings.limitBytes) {
      account.droppedBytes += bytes;
      account.droppedLines += countLines(text);
      if (!account.warned) {
        account.warned = true;
        this.push(
          "stderr",
          `\ntspy: this cell's output passed ${formatBytes(this.settings.limitBytes)} (TSPY_CELL_OUTPUT_LIMIT_MB); the rest is not shown. How much was cut is printed when the cell ends.\n`,
        );
      }
      return;
    }
    account.bytes += bytes;
    this.push(name, text);
  }

  /** Publishes every buffered batch now. */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const target = this.target;
    const segments = this.segments;
    this.segments = [];
    this.bufferedChars = 0;
    if (!target) return;
    for (const s of segments) target.stream(s.name, s.text);
  }

  /**
   * Ends a request's output: publishes what is buffered and, if the limit cut it, one notice with
   * how much was not shown. Output that arrives later for it (a Python thread, a timer) is still
   * published or counted.
   */
  finish(target: StreamTarget | undefined): void {
    this.flush();
    if (!target) return;
    const account = this.accounts.get(target);
    if (account && account.droppedBytes > 0) {
      target.stream(
        "stderr",
        `tspy: ${formatBytes(account.droppedBytes)} (${account.droppedLines} lines) of this cell's output were not shown: the limit is ${formatBytes(this.settings.limitBytes)} per cell (TSPY_CELL_OUTPUT_LIMIT_MB=0 turns it off).\n`,
      );
      account.droppedBytes = 0;
      account.droppedLines = 0;
    }
  }

  private push(name: StreamName, text: string): void {
    const last = this.segments[this.segments.length - 1];
    if (last && last.name === name) last.text += text;
    else this.segments.push({ name, text });
    this.bufferedChars += text.length;
    if (this.bufferedChars >= this.settings.batchChars) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.settings.intervalMs);
  }

  private account(target: StreamTarget): Account {
    let a = this.accounts.get(target);
    if (!a) this.accounts.set(target, (a = { bytes: 0, droppedBytes: 0, droppedLines: 0, warned: false }));
    return a;
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

/** "64 MiB", "1.5 KiB", "12 bytes". */
function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`;
}
