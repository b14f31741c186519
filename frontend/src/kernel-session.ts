// The open notebook's kernel session: starting it, its kernel's status and websocket connection
// status, interrupt, restart, and what happened to it (a crash, an auto-restart by the server).
// Talks to Jupyter Server only through @jupyterlab/services; knows nothing of cells or React state.
import { useEffect, useMemo, useSyncExternalStore } from "react";
import { ServerConnection, SessionAPI, type Kernel, type Session, type SessionManager } from "@jupyterlab/services";

/** What the app tells the user about the kernel's life; `kind` is also the notice's `data-kind`. */
export interface KernelNotice {
  /**
   * `restarted`: the user restarted it; `autorestarted`: it died and the server's restarter started a
   * new one; `dead`: it died and nothing restarted it; `error`: a request to the server failed;
   * `shutdown`: the user shut it down; `lost`: the server no longer has the session (it was restarted).
   */
  kind: "restarted" | "autorestarted" | "dead" | "error" | "shutdown" | "lost";
  /** One or two sentences for the user. */
  text: string;
}

/** A snapshot of the kernel session (immutable: a change makes a new object). */
export interface KernelSessionState {
  /** The session of the open notebook, or null before one started. */
  session: Session.ISessionConnection | null;
  /** The session's current kernel connection (a new one after a restart from `dead`), or null. */
  kernel: Kernel.IKernelConnection | null;
  /**
   * The kernel's execution state as @jupyterlab/services reports it (`starting`, `idle`, `busy`,
   * `restarting`, `autorestarting`, `dead`, `unknown`, ...), or `no kernel`.
   */
  status: Kernel.Status | "no kernel";
  /** The kernel websocket's state: `connected`, `connecting` (reconnecting), `disconnected`; `none` without a kernel. */
  connection: Kernel.ConnectionStatus | "none";
  /**
   * Counts kernel processes seen by this session: it grows on every start, restart and auto-restart,
   * so that per-kernel things (comms, widget managers) can be made again when it changes.
   */
  generation: number;
  /** The latest notice for the user, or null. */
  notice: KernelNotice | null;
}

/**
 * Why the kernel's state was lost (see {@link KernelSession.onReset}): `restart` (the user's
 * Restart), `crash` (the kernel process died, whether or not the server restarted it), `shutdown`,
 * `change` (the kernel picker started another kernel).
 */
export type ResetCause = "restart" | "crash" | "shutdown" | "change";

/** Texts of the notices, exported so that tests and the app agree. */
export const NOTICES = {
  restarted: "Kernel restarted: the variables of both languages are gone. The notebook and your edits are unchanged.",
  autorestarted:
    "The kernel died and the server restarted it: the variables of both languages are gone. The notebook and your unsaved edits are kept; run the cells again.",
  dead: "The kernel died and was not restarted. The notebook and your unsaved edits are kept; press Restart to start a new kernel.",
  shutdown: "The kernel was shut down. Press Restart to start a new one.",
  lost: "The server no longer has this notebook's kernel session (the server was restarted?). The notebook and your unsaved edits are kept; press Restart to start a new kernel.",
} as const;

/**
 * The status word the toolbar shows for a kernel status: `autorestarting` reads `restarting`.
 * @param status the kernel's status as in {@link KernelSessionState.status}.
 * @returns one word (or `no kernel`).
 */
export function statusLabel(status: KernelSessionState["status"]): string {
  return status === "autorestarting" ? "restarting" : status;
}

/**
 * Whether cells can be sent now: a kernel that is neither dead nor (re)starting, on a connected websocket.
 * @param state the session snapshot.
 */
export function canRun(state: Pick<KernelSessionState, "kernel" | "status" | "connection">): boolean {
  return (
    state.kernel !== null && state.connection === "connected" && !["dead", "restarting", "autorestarting", "terminating", "no kernel"].includes(state.status)
  );
}

/** ms a request to the server about the session (is it still there?) may take before it counts as unanswered. */
export const PROBE_TIMEOUT_MS = 10_000;
/** ms between two such requests while the kernel's websocket is down (the server may be restarting). */
export const PROBE_INTERVAL_MS = 2_000;
/** ms a restart or a new session may take (a kernel start with CPython on a loaded machine) before the app gives up and says so. */
export const RESTART_TIMEOUT_MS = 120_000;

/**
 * What the server says of a session: `alive` (it has it), `gone` (404: it no longer has it, e.g. it
 * was restarted), `unreachable` (no answer: the server is down, or another error).
 */
export type SessionProbe = "alive" | "gone" | "unreachable";

/**
 * Asks the server for a session's model (GET /api/sessions/<id>, @jupyterlab/services'
 * `SessionAPI.getSessionModel`), giving up after {@link PROBE_TIMEOUT_MS}. Never throws.
 * @param s the session connection (its id and server settings).
 */
export async function probeSession(s: Session.ISessionConnection): Promise<SessionProbe> {
  try {
    await withTimeout(SessionAPI.getSessionModel(s.id, s.serverSettings), PROBE_TIMEOUT_MS, "the server did not answer");
    return "alive";
  } catch (e) {
    return e instanceof ServerConnection.ResponseError && e.response.status === 404 ? "gone" : "unreachable";
  }
}

/**
 * A promise that settles as `p` does, or rejects with `Error(\`${what} in ${ms / 1000} s\`)` after `ms`
 * (`p` itself goes on; its result is then ignored).
 */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} in ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** The message of an error thrown by @jupyterlab/services (a ResponseError carries the server's reason). */
function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Holds the session of the open notebook and follows its kernel. An external store for React
 * ({@link subscribe}/{@link getState}, see {@link useKernelState}); every state change replaces
 * the snapshot.
 */
export class KernelSession {
  private state: KernelSessionState = { session: null, kernel: null, status: "no kernel", connection: "none", generation: 0, notice: null };
  private readonly listeners = new Set<() => void>();
  private readonly resetListeners = new Set<(cause: ResetCause) => void>();
  /** True while {@link restart} runs: a `restarting` status then is ours, not a crash. */
  private restarting = false;
  /** The kernelspec of the session's kernel (the one a restart from `dead` starts again). */
  private currentName: string;
  /** The path of the notebook the session was started for (a restart after a shut down starts it again). */
  private path: string | null = null;
  /** The session this class itself shuts down or disposes (its disposal is no loss). */
  private leaving: Session.ISessionConnection | null = null;
  /** True after the server forgot the session (see {@link lose}) until a new one starts: running a cell starts one. */
  private forgotten = false;
  /** The session whose websocket is down and whose existence {@link watch} is checking, if any. */
  private watching: Session.ISessionConnection | null = null;
  /** The restart in progress (a second Restart or run joins it rather than starting another session). */
  private restartInFlight: Promise<boolean> | null = null;

  /**
   * @param sessions the server's session manager.
   * @param kernelName the kernelspec to start for a notebook that names none (e.g. `tspy`).
   * @param probe asks the server whether it still has a session; {@link probeSession} (tests pass their own).
   */
  constructor(
    private readonly sessions: SessionManager,
    private readonly kernelName: string,
    private readonly probe: (s: Session.ISessionConnection) => Promise<SessionProbe> = probeSession,
  ) {
    this.currentName = kernelName;
  }

  /** The kernelspec name of the session's kernel (or of the last one started). */
  get kernelSpecName(): string {
    return this.currentName;
  }

  /** Adds a listener called after every state change; returns the function that removes it. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** The current snapshot (the same object until something changes). */
  readonly getState = (): KernelSessionState => this.state;

  /**
   * Adds a listener called, synchronously, when the kernel's state is lost (restart, crash, death):
   * requests in flight will get no reply, so running cells should stop showing as running.
   * @param listener called with why the state was lost.
   * @returns the function that removes the listener.
   */
  onReset(listener: (cause: ResetCause) => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  private set(patch: Partial<KernelSessionState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  private reset(cause: ResetCause): void {
    for (const l of this.resetListeners) l(cause);
  }

  /**
   * Starts (or joins) the session of a notebook with a new kernel of the notebook's kernelspec, and
   * drops the connection to the previous notebook's session (its kernel keeps running on the server).
   * @param path the notebook's path relative to the server's root.
   * @param kernelName the kernelspec (the notebook metadata's `kernelspec.name`); the default one when omitted.
   * @throws the server's error (ServerConnection.ResponseError) when the session cannot start.
   */
  async start(path: string, kernelName = this.kernelName): Promise<void> {
    this.disposeSession();
    this.currentName = kernelName;
    this.path = path;
    this.forgotten = false;
    this.set({ status: "starting", connection: "connecting", notice: null });
    let s: Session.ISessionConnection;
    try {
      s = await withTimeout(
        this.sessions.startNew({ path, name: path, type: "notebook", kernel: { name: kernelName } }),
        RESTART_TIMEOUT_MS,
        "the server did not start the kernel session",
      );
    } catch (e) {
      this.set({ status: "no kernel", connection: "none" });
      throw e;
    }
    // Signals of a session this class has let go of (disposed, lost) change nothing.
    s.disposed.connect(() => this.lose(s));
    s.statusChanged.connect((_, status) => {
      if (this.state.session === s) this.onStatus(s, status);
    });
    s.connectionStatusChanged.connect((_, connection) => {
      if (this.state.session !== s) return;
      this.set({ connection });
      if (connection !== "connected") void this.watch(s);
    });
    s.kernelChanged.connect((_, change) => {
      if (this.state.session !== s) return;
      const k = change.newValue;
      this.set({ kernel: k, status: k?.status ?? "no kernel", connection: k?.connectionStatus ?? "none", generation: this.state.generation + 1 });
    });
    const k = s.kernel;
    this.set({ session: s, kernel: k, status: k?.status ?? "no kernel", connection: k?.connectionStatus ?? "none", generation: this.state.generation + 1 });
  }

  private onStatus(s: Session.ISessionConnection, status: Kernel.Status): void {
    if (status === "autorestarting" && !this.restarting) {
      // The server's restarter found the kernel process gone and started a new one.
      this.reset("crash");
      this.set({ status, notice: { kind: "autorestarted", text: NOTICES.autorestarted }, generation: this.state.generation + 1 });
    } else if (status === "dead") {
      this.reset("crash");
      this.set({ status, notice: { kind: "dead", text: NOTICES.dead } });
      // @jupyterlab/services also says `dead` when the server no longer knows the kernel (404): a
      // restarted server, which has forgotten the session too.
      void this.watch(s);
    } else {
      this.set({ status });
    }
  }

  /**
   * The server no longer has the session (a restarted server): found by {@link watch}, a probe of
   * {@link restart} or {@link ready}, or because @jupyterlab/services disposed the connection (its
   * session list lacks it). The kernel is gone; the connection is disposed (its websocket stops
   * retrying, requests in flight are cancelled); Restart, or running a cell, starts a new session.
   * Nothing happens for a session this class already let go of.
   */
  private lose(s: Session.ISessionConnection): void {
    if (this.state.session !== s || this.leaving === s) return;
    this.leaving = s;
    this.forgotten = true;
    this.reset("crash");
    this.set({ session: null, kernel: null, status: "no kernel", connection: "none", notice: { kind: "lost", text: NOTICES.lost } });
    if (!s.isDisposed) s.dispose();
  }

  /**
   * While the session's kernel websocket is down (or its kernel reads `dead`), asks the server every
   * {@link PROBE_INTERVAL_MS} whether it still has the session, until the websocket is back, the
   * session is found gone ({@link lose}), or this class moves to another session. A session that is
   * there while its websocket is closed for good (`disconnected`: Reconnect is the user's) or its
   * kernel dead ends the watch too. One watch per session at a time.
   */
  private async watch(s: Session.ISessionConnection): Promise<void> {
    if (this.watching === s) return;
    this.watching = s;
    try {
      while (this.state.session === s && !s.isDisposed && (this.state.connection !== "connected" || this.state.status === "dead")) {
        const found = await this.probe(s);
        if (found === "gone") return this.lose(s);
        if (found === "alive" && (this.state.connection === "disconnected" || this.state.status === "dead")) return;
        await new Promise((r) => setTimeout(r, PROBE_INTERVAL_MS));
      }
    } finally {
      if (this.watching === s) this.watching = null;
    }
  }

  /**
   * A kernel to send a cell to: the session's kernel when its websocket is connected, or while it
   * reconnects to a session the server still has (requests wait for the websocket); a new session
   * when the server forgot this one (a restarted server), as Restart would. Never throws.
   * @returns the kernel, or null when there is none to use (none started, shut down, or a failed
   *   start: the notice says why).
   */
  async ready(): Promise<Kernel.IKernelConnection | null> {
    const s = this.state.session;
    if (s && !s.isDisposed) {
      if (this.state.connection === "connected" || (await this.probe(s)) !== "gone") return this.state.kernel;
      this.lose(s);
    } else if (!this.forgotten) {
      return null;
    }
    return (await this.restart()) ? this.state.kernel : null;
  }

  /**
   * Interrupts the running cell (interrupt_request, or SIGINT from the server, as the kernelspec says).
   * A failure becomes an `error` notice; it never throws.
   */
  async interrupt(): Promise<void> {
    const k = this.state.kernel;
    if (!k || k.isDisposed) return;
    try {
      await k.interrupt();
    } catch (e) {
      this.set({ notice: { kind: "error", text: `Interrupt failed: ${describe(e)}` } });
    }
  }

  /**
   * Restarts the kernel: `kernel.restart()`, or a new kernel for the session when the old one is
   * dead, or a new session after a {@link shutdown} or when the server no longer has the session
   * (it was restarted; asked first, so that no request goes to a session the server does not have).
   * Calls the reset listeners first. A restart of a live kernel resolves once its websocket is
   * connected again. A failure, or no end within {@link RESTART_TIMEOUT_MS}, becomes an `error`
   * notice and resolves false; it never throws. A call while one runs joins it.
   * @returns true when a kernel is running again.
   */
  restart(): Promise<boolean> {
    this.restartInFlight ??= this.restartOnce().finally(() => (this.restartInFlight = null));
    return this.restartInFlight;
  }

  private async restartOnce(): Promise<boolean> {
    let s = this.state.session;
    if (s && !s.isDisposed) {
      const found = await this.probe(s);
      if (found === "gone") this.lose(s);
      else if (found === "unreachable") {
        this.set({ notice: { kind: "error", text: "Restart failed: the server does not answer (is it running?)." } });
        return false;
      }
      s = this.state.session;
    }
    if (!s || s.isDisposed) {
      if (this.path === null) return false;
      try {
        await this.start(this.path, this.currentName);
        return true;
      } catch (e) {
        this.set({ notice: { kind: "error", text: `Restart failed: ${describe(e)}` } });
        return false;
      }
    }
    this.restarting = true;
    this.reset("restart");
    this.set({ notice: null });
    try {
      const k = s.kernel;
      const restarted: Promise<unknown> = !k || k.isDisposed || k.status === "dead" ? s.changeKernel({ name: this.currentName }) : k.restart();
      await withTimeout(restarted, RESTART_TIMEOUT_MS, "the kernel did not restart");
      this.set({ notice: { kind: "restarted", text: NOTICES.restarted }, generation: this.state.generation + 1 });
      return true;
    } catch (e) {
      this.set({ notice: { kind: "error", text: `Restart failed: ${describe(e)}` } });
      return false;
    } finally {
      this.restarting = false;
    }
  }

  /**
   * Replaces the session's kernel with a new one of another kernelspec (the kernel picker). The
   * reset listeners are called first; a failure becomes an `error` notice, it never throws.
   * @param kernelName the kernelspec to start.
   * @returns true when the new kernel runs.
   */
  async changeKernel(kernelName: string): Promise<boolean> {
    const s = this.state.session;
    if (!s) return false;
    this.reset("change");
    try {
      await s.changeKernel({ name: kernelName });
      this.currentName = kernelName;
      this.set({ notice: null });
      return true;
    } catch (e) {
      this.set({ notice: { kind: "error", text: `Cannot start the kernel ${kernelName}: ${describe(e)}` } });
      return false;
    }
  }

  /**
   * Shuts the kernel down (the session goes too, as JupyterLab's "Shut Down Kernel" does); Restart
   * starts a new one. A failure becomes an `error` notice, it never throws.
   */
  async shutdown(): Promise<void> {
    const s = this.state.session;
    if (!s) return;
    this.reset("shutdown");
    this.leaving = s;
    try {
      await s.shutdown();
      this.set({ session: null, kernel: null, status: "no kernel", connection: "none", notice: { kind: "shutdown", text: NOTICES.shutdown } });
    } catch (e) {
      this.set({ notice: { kind: "error", text: `Shut down failed: ${describe(e)}` } });
    }
  }

  /**
   * Opens the kernel's websocket again after it was closed for good (`disconnected`); a failure
   * becomes an `error` notice, it never throws.
   */
  async reconnect(): Promise<void> {
    const k = this.state.kernel;
    if (!k || k.isDisposed) return;
    try {
      await k.reconnect();
    } catch (e) {
      this.set({ notice: { kind: "error", text: `Cannot reconnect to the kernel: ${describe(e)}` } });
    }
  }

  /** Removes the current notice. */
  dismissNotice(): void {
    this.set({ notice: null });
  }

  /**
   * Shows a problem with the kernel to the user (e.g. a request that could not be sent).
   * @param text the message.
   */
  report(text: string): void {
    this.set({ notice: { kind: "error", text } });
  }

  private disposeSession(): void {
    const s = this.state.session;
    if (!s) return;
    this.leaving = s;
    if (!s.isDisposed) s.dispose();
    this.set({ session: null, kernel: null, status: "no kernel", connection: "none" });
  }

  /** Drops the connection to the session (the kernel keeps running on the server); the object stays usable. */
  dispose(): void {
    this.disposeSession();
  }
}

/**
 * Whether an unhandled rejection is @jupyterlab/services' own cancelled kernel_info_request: the
 * connection sends one on every (re)connect without handling its rejection, and a restart or crash
 * while it is pending cancels it (jupyterlab/jupyterlab#9521). The app reports the restart itself.
 * @param reason the rejection's reason.
 */
export function isCancelledKernelInfo(reason: unknown): boolean {
  return reason instanceof Error && reason.message.startsWith("Canceled future for kernel_info_request message");
}

/**
 * The app's {@link KernelSession} for a session manager, disposed with the component. While mounted,
 * it marks @jupyterlab/services' cancelled kernel_info_request (see {@link isCancelledKernelInfo}) handled.
 * @param sessions the server's session manager.
 * @param kernelName the kernelspec to start.
 */
export function useKernelSession(sessions: SessionManager, kernelName: string): KernelSession {
  const ks = useMemo(() => new KernelSession(sessions, kernelName), [sessions, kernelName]);
  useEffect(() => () => ks.dispose(), [ks]);
  useEffect(() => {
    const quiet = (e: PromiseRejectionEvent) => {
      if (isCancelledKernelInfo(e.reason)) e.preventDefault();
    };
    window.addEventListener("unhandledrejection", quiet);
    return () => window.removeEventListener("unhandledrejection", quiet);
  }, []);
  return ks;
}

/**
 * The current snapshot of a {@link KernelSession}, re-rendering on every change.
 * @param ks the kernel session.
 */
export function useKernelState(ks: KernelSession): KernelSessionState {
  return useSyncExternalStore(ks.subscribe, ks.getState);
}
