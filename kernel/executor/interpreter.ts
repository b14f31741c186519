// tspy's Interpreter (kernel/protocol/interpreter.ts): TypeScript cells and `%%python` cells, run by
// the executor worker. Turns the protocol's typed calls into the worker's requests and knows the
// language facts kernel_info tells (TypeScript, with an embedded Python).
import type {
  CommInfoReply,
  CommRequest,
  CompleteReply,
  ExecuteRequest,
  ExecutionEvents,
  ExecutionOutcome,
  InspectReply,
  Interpreter,
  IsCompleteReply,
  LanguageFacts,
} from "../protocol/interpreter";
import type { Executor } from "./executor";

/**
 * Content keys through which comm messages carry their message-level metadata and binary buffers
 * (base64 strings) to and from the executor worker; the interpreter moves them to and from the
 * message's metadata and buffer frames (messaging spec, "Custom Messages": ipywidgets sends its
 * protocol version in metadata and binary state in buffers). Python's side:
 * tspy_comms.COMM_*_KEY.
 */
export const COMM_METADATA_KEY = "_tspy_metadata";
/** See COMM_METADATA_KEY. */
export const COMM_BUFFERS_KEY = "_tspy_buffers";

/** Versions kernel_info reports. */
export interface TspyVersions {
  /** The kernel's own version (package.json). */
  implementation: string;
  /** The typescript package's version, e.g. "6.0.3". */
  typescript: string;
  /** The embedded Python's version, or null when it is not available. */
  python: string | null;
}

/**
 * The events the worker is given: comm messages it sends carry their metadata and buffers in
 * {@link COMM_METADATA_KEY}/{@link COMM_BUFFERS_KEY}; they reach `events.display` with the keys
 * removed and the metadata and buffers as attachments.
 */
function fromWorker(events: ExecutionEvents): ExecutionEvents {
  return {
    ...events,
    display: (msgType, content) => {
      if (!msgType.startsWith("comm_")) return events.display(msgType, content);
      const { [COMM_METADATA_KEY]: metadata, [COMM_BUFFERS_KEY]: buffers, ...rest } = content;
      events.display(msgType, rest, {
        metadata: metadata && typeof metadata === "object" ? (metadata as Record<string, unknown>) : undefined,
        buffers: Array.isArray(buffers) ? buffers.map((b) => Buffer.from(String(b), "base64")) : [],
      });
    },
  };
}

/** The tspy interpreter: the executor worker behind the protocol's typed calls. */
export class TspyInterpreter implements Interpreter {
  /**
   * @param executor the running executor worker.
   * @param versions what kernel_info reports.
   */
  constructor(
    private readonly executor: Executor,
    private readonly versions: TspyVersions,
  ) {}

  languageFacts(): LanguageFacts {
    const python = this.versions.python ? `Python ${this.versions.python}` : "Python unavailable";
    return {
      languageInfo: {
        name: "typescript",
        version: this.versions.typescript,
        mimetype: "text/typescript",
        file_extension: ".ts",
        codemirror_mode: "typescript",
        pygments_lexer: "typescript",
        nbconvert_exporter: "script",
      },
      banner: `tspy ${this.versions.implementation}: TypeScript ${this.versions.typescript} with embedded ${python}. Start a cell with %%python for Python.`,
      helpLinks: [],
    };
  }

  execute(request: ExecuteRequest, events: ExecutionEvents): Promise<ExecutionOutcome> {
    const { code, executionCount, silent, allowStdin, userExpressions, parentHeader } = request;
    return this.executor.execute(code, executionCount, silent, allowStdin, fromWorker(events), userExpressions, { ...parentHeader });
  }

  async isComplete(code: string): Promise<IsCompleteReply> {
    return (await this.executor.isComplete(code)) as IsCompleteReply;
  }

  async complete(code: string, cursorPos: number): Promise<CompleteReply> {
    return (await this.executor.ask("complete_request", { code, cursor_pos: cursorPos })) as unknown as CompleteReply;
  }

  async inspect(code: string, cursorPos: number, detailLevel: number): Promise<InspectReply> {
    return (await this.executor.ask("inspect_request", { code, cursor_pos: cursorPos, detail_level: detailLevel })) as unknown as InspectReply;
  }

  async commInfo(targetName: string | undefined): Promise<CommInfoReply> {
    return (await this.executor.ask("comm_info_request", targetName === undefined ? {} : { target_name: targetName })) as unknown as CommInfoReply;
  }

  async comm(request: CommRequest, events: ExecutionEvents): Promise<void> {
    const content: Record<string, unknown> = { ...request.content };
    if (Object.keys(request.metadata).length) content[COMM_METADATA_KEY] = request.metadata;
    if (request.buffers.length) content[COMM_BUFFERS_KEY] = request.buffers.map((b) => b.toString("base64"));
    await this.executor.ask(request.type, content, fromWorker(events), { ...request.parentHeader });
  }

  provideInput(value: string): void {
    this.executor.provideInput(value);
  }

  interrupt(): void {
    this.executor.interrupt();
  }
}
