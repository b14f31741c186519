// The app's end of the tspy.notebook comm against a stand-in kernel connection: it opens the comm
// to its target, pairs replies with requests by id, hands events to listeners, rejects on errors,
// timeouts and close. (The real kernel's end is tested in test/protocol/test_notebook_comm.py.)
import { afterEach, describe, expect, test, vi } from "vitest";
import type { Kernel } from "@jupyterlab/services";
import { NOTEBOOK_COMM_TARGET, NotebookComm, type VariableRow } from "./notebook-comm";

/** A comm that records what the app sends; the test plays the kernel with `reply`. */
class FakeIComm {
  sent: Record<string, unknown>[] = [];
  opened: unknown = null;
  isDisposed = false;
  throwOnSend = false;
  onMsg: (msg: { content: { data: unknown } }) => void = () => undefined;
  onClose: () => void = () => undefined;
  constructor(readonly targetName: string) {}
  open(data: unknown): void {
    this.opened = data;
  }
  send(data: Record<string, unknown>): void {
    if (this.throwOnSend) throw new Error("Comm is closed");
    this.sent.push(data);
  }
  close(): void {
    this.isDisposed = true;
  }
  reply(data: unknown): void {
    this.onMsg({ content: { data } });
  }
}

function fakeKernel(): { kernel: Kernel.IKernelConnection; comm: () => FakeIComm } {
  let made: FakeIComm | null = null;
  const kernel = { createComm: (target: string) => (made = new FakeIComm(target)) } as unknown as Kernel.IKernelConnection;
  return { kernel, comm: () => made! };
}

const ROW: VariableRow = { name: "xs", language: "TypeScript", type: "Float32Array", shape: "10", dtype: "float32", size: 40 };

afterEach(() => vi.useRealTimers());

describe("NotebookComm", () => {
  test("opens_a_comm_to_the_tspy_notebook_target", () => {
    const { kernel, comm } = fakeKernel();
    new NotebookComm(kernel);
    expect(comm().targetName).toBe(NOTEBOOK_COMM_TARGET);
    expect(comm().opened).toEqual({});
  });

  test("replies_resolve_the_request_with_the_same_id", async () => {
    const { kernel, comm } = fakeKernel();
    const nc = new NotebookComm(kernel);
    const variables = nc.variables();
    const diagnostics = nc.diagnostics("const x: number = 's'");
    const [v, d] = comm().sent;
    expect(v).toEqual({ request: "variables", id: v.id });
    expect(d).toEqual({ request: "diagnostics", id: d.id, code: "const x: number = 's'" });
    expect(v.id).not.toBe(d.id);
    const diag = { line: 1, column: 7, endLine: 1, endColumn: 8, code: 2322, message: "no", severity: "error" };
    comm().reply({ reply: "diagnostics", id: d.id, diagnostics: [diag] });
    comm().reply({ reply: "variables", id: v.id, variables: [ROW] });
    expect(await variables).toEqual([ROW]);
    expect(await diagnostics).toEqual([diag]);
  });

  test("an_error_reply_rejects_with_its_message", async () => {
    const { kernel, comm } = fakeKernel();
    const p = new NotebookComm(kernel).variables();
    comm().reply({ reply: "error", id: comm().sent[0].id, message: "unknown tspy.notebook request" });
    await expect(p).rejects.toThrow("unknown tspy.notebook request");
  });

  test("variables_events_reach_listeners_until_removed", () => {
    const { kernel, comm } = fakeKernel();
    const nc = new NotebookComm(kernel);
    const seen: VariableRow[][] = [];
    const off = nc.onVariables((rows) => seen.push(rows));
    comm().reply({ event: "variables", variables: [ROW] });
    off();
    comm().reply({ event: "variables", variables: [] });
    expect(seen).toEqual([[ROW]]);
  });

  test("a_request_without_reply_times_out", async () => {
    vi.useFakeTimers();
    const { kernel } = fakeKernel();
    const p = new NotebookComm(kernel, 1000).variables();
    vi.advanceTimersByTime(1001);
    await expect(p).rejects.toThrow("did not answer variables in 1000 ms");
  });

  test("dispose_and_a_kernel_side_close_reject_pending_and_later_requests", async () => {
    const { kernel, comm } = fakeKernel();
    const nc = new NotebookComm(kernel);
    const pending = nc.variables();
    nc.dispose();
    expect(comm().isDisposed).toBe(true);
    await expect(pending).rejects.toThrow("closed");
    await expect(nc.variables()).rejects.toThrow("closed");
    const other = fakeKernel();
    const nc2 = new NotebookComm(other.kernel);
    const p2 = nc2.diagnostics("1");
    other.comm().onClose();
    await expect(p2).rejects.toThrow("closed");
  });

  test("a_send_on_a_disposed_comm_rejects_at_once", async () => {
    const { kernel, comm } = fakeKernel();
    const nc = new NotebookComm(kernel);
    comm().throwOnSend = true;
    await expect(nc.variables()).rejects.toThrow("Comm is closed");
  });
});
