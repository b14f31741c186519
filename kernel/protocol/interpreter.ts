// The seam between the protocol and the languages (xeus's xinterpreter, ipykernel's do_execute /
// do_complete, Deno's typed JupyterReplRequest): the protocol parses every request into typed
// arguments and owns execution counts, busy/idle, replies, stop_on_error and comm routing; an
// Interpreter runs code and answers questions about it, and publishes output through the events it
// is given. Imports nothing but types of the messaging spec.
import type { KernelMessage } from "@jupyterlab/services";
import type { ErrorContent } from "./error-content";

export type { ErrorContent };

/** A MIME bundle: MIME type -> data (string, or JSON for JSON types), as nbformat stores it. */
export type MimeBundle = Record<string, unknown>;

/**
 * Message types an interpreter publishes while it handles a request, besides streams and the
 * execute_result/error the protocol publishes from the outcome (an `error` here is one that user
 * code showed and handled, e.g. inside an ipywidgets Output).
 */
export type InterpreterIopubType = "display_data" | "update_display_data" | "clear_output" | "error" | "comm_open" | "comm_msg" | "comm_close";

/** The parts of a message beside its content: its metadata and binary buffers (comm messages use them). */
export interface MessageAttachments {
  metadata?: Record<string, unknown>;
  buffers?: Buffer[];
}

/** Output events of a running request; the protocol publishes them on iopub with the request as parent. */
export interface ExecutionEvents {
  stream(name: "stdout" | "stderr", text: string): void;
  /**
   * display_data, update_display_data, clear_output, a handled error and comm messages (content as
   * the spec spells it); a comm message may carry message-level metadata and binary buffers.
   */
  display(msgType: InterpreterIopubType, content: Record<string, unknown>, attachments?: MessageAttachments): void;
  /** The cell asks the frontend for a line (stdin input_request); answered with {@link Interpreter.provideInput}. */
  inputRequest?(prompt: string, password: boolean): void;
}

/**
 * How a cell ended. `exitCode` is set when the cell asked the kernel to exit (`process.exit(code)`,
 * IPython's `exit()`): the protocol replies with the ask_exit payload and shuts down after the reply.
 */
export type ExecutionOutcome =
  | {
      status: "ok";
      result: { data: MimeBundle; metadata: Record<string, unknown> } | null;
      /** user_expressions evaluated after the cell: name -> {status, data, metadata} or an error content. */
      userExpressions: Record<string, unknown>;
      exitCode?: number;
    }
  | { status: "error"; error: ErrorContent };

/** One execute_request's arguments (messaging spec, "Execute"), parsed by the protocol. */
export interface ExecuteRequest {
  code: string;
  /** The count this execution shows (the protocol's counter; unchanged by silent runs). */
  executionCount: number;
  silent: boolean;
  /** Whether the frontend accepts input_request on stdin. */
  allowStdin: boolean;
  /** Expressions to evaluate after the code: name -> source. */
  userExpressions: Record<string, string>;
  /** The request's header (e.g. for `kernel.get_parent()` in Python). */
  parentHeader: KernelMessage.IHeader;
}

/** A comm message from the frontend (messaging spec, "Custom Messages"), parsed by the protocol. */
export interface CommRequest {
  type: "comm_open" | "comm_msg" | "comm_close";
  /** The message content: comm_id, data, and target_name for comm_open. */
  content: Record<string, unknown>;
  /** The message-level metadata (ipywidgets' protocol version travels here). */
  metadata: Record<string, unknown>;
  /** Binary buffers after the content frame. */
  buffers: Buffer[];
  /** The message's header. */
  parentHeader: KernelMessage.IHeader;
}

/** What kernel_info_reply says about the language (messaging spec, "Kernel info"). */
export interface LanguageFacts {
  languageInfo: KernelMessage.ILanguageInfo;
  banner: string;
  helpLinks: KernelMessage.IInfoReply["help_links"];
}

/** The reply content types of the questions an interpreter answers (messaging spec 5.3). */
export type CompleteReply = KernelMessage.ICompleteReplyMsg["content"];
/** See {@link CompleteReply}. */
export type InspectReply = KernelMessage.IInspectReplyMsg["content"];
/** See {@link CompleteReply}. */
export type IsCompleteReply = KernelMessage.IIsCompleteReplyMsg["content"];
/** See {@link CompleteReply}. */
export type CommInfoReply = KernelMessage.ICommInfoReplyMsg["content"];

/**
 * The languages behind the kernel. Every method resolves (never rejects for a user's mistake: a
 * failed cell is an `error` outcome); a rejection is a fault of the kernel, which the protocol
 * answers with an error reply.
 */
export interface Interpreter {
  /** The language facts of kernel_info_reply; answered at once (no waiting for the runtime). */
  languageFacts(): LanguageFacts;
  /** Runs a cell, publishing its output through `events`. */
  execute(request: ExecuteRequest, events: ExecutionEvents): Promise<ExecutionOutcome>;
  /** is_complete_request. */
  isComplete(code: string): Promise<IsCompleteReply>;
  /** complete_request; `cursorPos` in Unicode code points (protocol 5.2+). */
  complete(code: string, cursorPos: number): Promise<CompleteReply>;
  /** inspect_request; `detailLevel` 0 or 1. */
  inspect(code: string, cursorPos: number, detailLevel: number): Promise<InspectReply>;
  /** comm_info_request; all comms when `targetName` is undefined. */
  commInfo(targetName: string | undefined): Promise<CommInfoReply>;
  /** A comm message from the frontend; what the comm sends back goes through `events`. */
  comm(request: CommRequest, events: ExecutionEvents): Promise<void>;
  /** The frontend's input_reply for the cell waiting in an input request. */
  provideInput(value: string): void;
  /** Interrupts the running cell (SIGINT, interrupt_request); does nothing when none runs. */
  interrupt(): void;
}
