// KernelSession against a fake session manager: status and connection follow the session's
// signals, a server auto-restart or a death resets running work and tells the user, and Restart
// restarts a live kernel but starts a new one for a dead kernel.
import { expect, test, vi } from "vitest";
import type { Kernel, Session, SessionManager } from "@jupyterlab/services";
import { canRun, isCancelledKernelInfo, KernelSession, NOTICES, PROBE_INTERVAL_MS, RESTART_TIMEOUT_MS, statusLabel, type SessionProbe } from "./kernel-session";

/** A Lumino-like signal: connect, and emit for the test. */
function signal<T>() {
  const slots: ((sender: unknown, value: T) => void)[] = [];
  return { connect: (fn: (sender: unknown, value: T) => void) => void slots.push(fn), emit: (v: T) => slots.forEach((fn) => fn(null, v)) };
}

function fakeSessions() {
  const kernel = { status: "idle", connectionStatus: "connected", isDisposed: false, restart: vi.fn(async () => {}), interrupt: vi.fn(async () => {}) };
  const statusChanged = signal<Kernel.Status>();
  const connectionStatusChanged = signal<Kernel.ConnectionStatus>();
  const kernelChanged = signal<{ newValue: unknown }>();
  const disposed = signal<void>();
  const session = {
    disposed,
    kernel,
    isDisposed: false,
    dispose: vi.fn(),
    statusChanged,
    connectionStatusChanged,
    kernelChanged,
    changeKernel: vi.fn(async () => {
      const fresh = { ...kernel, status: "starting" };
      session.kernel = fresh;
      kernelChanged.emit({ newValue: fresh });
      return fresh;
    }),
  };
  const sessions = { startNew: vi.fn(async () => session as unknown as Session.ISessionConnection) } as unknown as SessionManager;
  return { sessions, session, kernel };
}

test("kernel_session_follows_status_and_connection_signals", async () => {
  const { sessions, session } = fakeSessions();
  const ks = new KernelSession(sessions, "tspy", async () => "alive");
  expect(ks.getState().status).toBe("no kernel");
  await ks.start("a.ipynb");
  expect(sessions.startNew).toHaveBeenCalledWith(expect.objectContaining({ path: "a.ipynb", kernel: { name: "tspy" } }));
  expect(ks.getState()).toMatchObject({ status: "idle", connection: "connected", generation: 1, notice: null });
  session.statusChanged.emit("busy");
  expect(ks.getState().status).toBe("busy");
  session.connectionStatusChanged.emit("connecting");
  expect(ks.getState().connection).toBe("connecting");
  expect(canRun(ks.getState())).toBe(false);
  session.connectionStatusChanged.emit("connected");
  expect(canRun(ks.getState())).toBe(true);
});

test("kernel_session_autorestart_by_the_server_resets_and_notifies", async () => {
  const { sessions, session } = fakeSessions();
  const ks = new KernelSession(sessions, "tspy", async () => "alive");
  await ks.start("a.ipynb");
  const reset = vi.fn();
  ks.onReset(reset);
  session.statusChanged.emit("autorestarting");
  expect(reset).toHaveBeenCalledTimes(1);
  expect(ks.getState().notice).toEqual({ kind: "autorestarted", text: NOTICES.autorestarted });
  expect(ks.getState().generation).toBe(2);
  expect(statusLabel(ks.getState().status)).toBe("restarting");
  session.statusChanged.emit("dead");
  expect(reset).toHaveBeenCalledTimes(2);
  expect(ks.getState().notice?.kind).toBe("dead");
});

test("kernel_session_restart_restarts_a_live_kernel_and_replaces_a_dead_one", async () => {
  const { sessions, session, kernel } = fakeSessions();
  const ks = new KernelSession(sessions, "tspy", async () => "alive");
  await ks.start("a.ipynb");
  const reset = vi.fn();
  ks.onReset(reset);
  expect(await ks.restart()).toBe(true);
  expect(kernel.restart).toHaveBeenCalledTimes(1);
  expect(session.changeKernel).not.toHaveBeenCalled();
  expect(reset).toHaveBeenCalledTimes(1);
  expect(ks.getState().notice?.kind).toBe("restarted");

  kernel.status = "dead";
  expect(await ks.restart()).toBe(true);
  expect(session.changeKernel).toHaveBeenCalledWith({ name: "tspy" });
  expect(ks.getState().kernel).toBe(session.kernel);
  expect(ks.getState().status).toBe("starting");
});

test("kernel_session_restart_failure_becomes_an_error_notice", async () => {
  const { sessions, kernel } = fakeSessions();
  const ks = new KernelSession(sessions, "tspy", async () => "alive");
  await ks.start("a.ipynb");
  kernel.restart.mockRejectedValueOnce(new Error("503 Service Unavailable"));
  expect(await ks.restart()).toBe(false);
  expect(ks.getState().notice).toEqual({ kind: "error", text: "Restart failed: 503 Service Unavailable" });
});

test("only_the_cancelled_kernel_info_request_of_a_reconnect_is_treated_as_handled", () => {
  expect(isCancelledKernelInfo(new Error("Canceled future for kernel_info_request message before replies were done"))).toBe(true);
  expect(isCancelledKernelInfo(new Error("Canceled future for execute_request message before replies were done"))).toBe(false);
  expect(isCancelledKernelInfo("Canceled future for kernel_info_request message")).toBe(false);
});

test("kernel_session_a_session_the_server_forgot_is_lost_and_restart_starts_a_new_one", async () => {
  const { sessions, session } = fakeSessions();
  const ks = new KernelSession(sessions, "tspy", async () => "alive");
  const causes: string[] = [];
  ks.onReset((cause) => causes.push(cause));
  await ks.start("a.ipynb");
  // @jupyterlab/services disposes a session the restarted server no longer lists.
  session.isDisposed = true;
  session.disposed.emit();
  expect(causes).toEqual(["crash"]);
  expect(ks.getState()).toMatchObject({ session: null, kernel: null, status: "no kernel", notice: { kind: "lost", text: NOTICES.lost } });
  session.isDisposed = false;
  expect(await ks.restart()).toBe(true);
  expect(sessions.startNew).toHaveBeenCalledTimes(2);
  expect(ks.getState().session).toBe(session);
});

/** A probe that answers `answers` in turn (the last one from then on), counting its calls. */
function probeAnswering(...answers: SessionProbe[]) {
  let i = 0;
  return vi.fn(async () => answers[Math.min(i++, answers.length - 1)]);
}

test("kernel_session_a_dropped_websocket_is_checked_until_the_restarted_server_says_the_session_is_gone", async () => {
  vi.useFakeTimers();
  try {
    const { sessions, session, kernel } = fakeSessions();
    // The server is down twice, then back without the session.
    const probe = probeAnswering("unreachable", "unreachable", "gone");
    const ks = new KernelSession(sessions, "tspy", probe);
    const causes: string[] = [];
    ks.onReset((cause) => causes.push(cause));
    await ks.start("a.ipynb");
    session.connectionStatusChanged.emit("connecting");
    await vi.advanceTimersByTimeAsync(PROBE_INTERVAL_MS * 3);
    expect(probe).toHaveBeenCalledTimes(3);
    expect(ks.getState()).toMatchObject({ session: null, kernel: null, status: "no kernel", connection: "none", notice: { kind: "lost" } });
    expect(causes).toEqual(["crash"]);
    // The connection is let go (its websocket stops retrying); its late signals change nothing.
    expect(session.dispose).toHaveBeenCalledTimes(1);
    session.connectionStatusChanged.emit("disconnected");
    expect(ks.getState().connection).toBe("none");
    await vi.advanceTimersByTimeAsync(PROBE_INTERVAL_MS * 3);
    expect(probe).toHaveBeenCalledTimes(3);
    expect(kernel.restart).not.toHaveBeenCalled();
  } finally {
    vi.useRealTimers();
  }
});

test("kernel_session_a_reconnecting_websocket_to_a_session_the_server_has_is_not_lost", async () => {
  vi.useFakeTimers();
  try {
    const { sessions, session } = fakeSessions();
    const probe = probeAnswering("alive");
    const ks = new KernelSession(sessions, "tspy", probe);
    await ks.start("a.ipynb");
    session.connectionStatusChanged.emit("connecting");
    await vi.advanceTimersByTimeAsync(PROBE_INTERVAL_MS * 2);
    session.connectionStatusChanged.emit("connected");
    await vi.advanceTimersByTimeAsync(PROBE_INTERVAL_MS * 3);
    expect(probe.mock.calls.length).toBeLessThanOrEqual(3);
    expect(ks.getState()).toMatchObject({ session, connection: "connected", notice: null });
    expect(session.dispose).not.toHaveBeenCalled();
  } finally {
    vi.useRealTimers();
  }
});

test("kernel_session_restart_never_restarts_a_session_the_server_forgot", async () => {
  const { sessions, kernel } = fakeSessions();
  const ks = new KernelSession(sessions, "tspy", probeAnswering("gone"));
  await ks.start("a.ipynb");
  expect(await ks.restart()).toBe(true);
  expect(kernel.restart).not.toHaveBeenCalled();
  expect(sessions.startNew).toHaveBeenCalledTimes(2);
  expect(ks.getState().notice).toBeNull();
});

test("kernel_session_restart_with_the_server_down_is_an_error_notice", async () => {
  const { sessions, kernel } = fakeSessions();
  const ks = new KernelSession(sessions, "tspy", probeAnswering("unreachable"));
  await ks.start("a.ipynb");
  expect(await ks.restart()).toBe(false);
  expect(kernel.restart).not.toHaveBeenCalled();
  expect(ks.getState().notice).toEqual({ kind: "error", text: "Restart failed: the server does not answer (is it running?)." });
});

test("kernel_session_a_restart_that_never_ends_becomes_an_error_notice", async () => {
  vi.useFakeTimers();
  try {
    const { sessions, kernel } = fakeSessions();
    const ks = new KernelSession(sessions, "tspy", probeAnswering("alive"));
    await ks.start("a.ipynb");
    kernel.restart.mockReturnValueOnce(new Promise<void>(() => {}));
    const restarted = ks.restart();
    // A second press joins the first rather than restarting again.
    const again = ks.restart();
    await vi.advanceTimersByTimeAsync(RESTART_TIMEOUT_MS);
    expect(await restarted).toBe(false);
    expect(await again).toBe(false);
    expect(kernel.restart).toHaveBeenCalledTimes(1);
    expect(ks.getState().notice).toEqual({ kind: "error", text: `Restart failed: the kernel did not restart in ${RESTART_TIMEOUT_MS / 1000} s` });
  } finally {
    vi.useRealTimers();
  }
});

test("kernel_session_ready_starts_a_new_session_only_after_the_server_forgot_the_old_one", async () => {
  const { sessions, session, kernel } = fakeSessions();
  const ks = new KernelSession(sessions, "tspy", probeAnswering("gone"));
  await ks.start("a.ipynb");
  // Connected: the kernel as it is, nothing asked.
  expect(await ks.ready()).toBe(kernel);
  // The websocket is down and the server has no such session: a new one.
  session.connectionStatusChanged.emit("connecting");
  expect(await ks.ready()).toBe(session.kernel);
  expect(sessions.startNew).toHaveBeenCalledTimes(2);
  expect(ks.getState().notice).toBeNull();
  // After the user's shut down, running a cell starts nothing.
  const shut = fakeSessions();
  const ks2 = new KernelSession(shut.sessions, "tspy", probeAnswering("alive"));
  await ks2.start("b.ipynb");
  Object.assign(shut.session, { shutdown: vi.fn(async () => {}) });
  await ks2.shutdown();
  expect(await ks2.ready()).toBeNull();
  expect(shut.sessions.startNew).toHaveBeenCalledTimes(1);
});
