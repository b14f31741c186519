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

/** Versions kernel_info reports. */
export interface TspyVersions {
  /** The kernel's own version (package.json). */
  implementation: string;
  /** The typescript package's version, e.g. "6.0.3". */
  typescript: string;
  /** The embedded Python's version, or null when it is not available. */
  python: string | null;
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
    return this.executor.execute(code, executionCount, silent, allowStdin, events, userExpressions, { ...parentHeader });
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
    const { metadata, buffers } = request;
    await this.executor.ask(request.type, { ...request.content }, events, { ...request.parentHeader }, { metadata, buffers });
  }

  provideInput(value: string): void {
    this.executor.provideInput(value);
  }

  interrupt(): void {
    this.executor.interrupt();
  }
}
