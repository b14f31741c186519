// KernelSession against a fake session manager: status and connection follow the session's
// signals, a server auto-restart or a death resets running work and tells the user, and Restart
// restarts a live kernel but starts a new one for a dead kernel.
import { expect, test, vi } from "vitest";
import type { Kernel, Session, SessionManager } from "@jupyterlab/services";
import { canRun, isCancelledKernelInfo, KernelSession, NOTICES, statusLabel } from "./kernel-session";

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
  const ks = new KernelSession(sessions, "tspy");
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
  const ks = new KernelSession(sessions, "tspy");
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
  const ks = new KernelSession(sessions, "tspy");
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
  const ks = new KernelSession(sessions, "tspy");
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
  const ks = new KernelSession(sessions, "tspy");
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
