// Stream chunks as a kernel sends them (progress bars of tqdm and Keras, `\r`, `\b`, ANSI colours)
// end as the same text in the app as in JupyterLab's output area. The expected texts are what
// @jupyterlab/outputarea 4.6's OutputAreaModel left for the same chunks (fed one `add()` per chunk
// in vitest/jsdom, recorded for frontend/README.md "Why the app renders outputs itself"): the
// package is not a dependency of the app, so its results are written down here.
import { describe, expect, test } from "vitest";
import type { KernelMessage } from "@jupyterlab/services";
import { applyIOPub } from "./cell-outputs";
import type { Cell } from "./model";

/** The stream outputs' texts of a fresh code cell after the kernel sent `chunks` on stdout. */
function streamed(chunks: string[]): string[] {
  let cells = [{ id: "c", outputs: [] } as unknown as Cell];
  for (const text of chunks) {
    const msg = { header: { msg_type: "stream" }, content: { name: "stdout", text }, parent_header: {}, metadata: {}, channel: "iopub" };
    cells = applyIOPub(cells, "c", msg as unknown as KernelMessage.IIOPubMessage);
  }
  return cells[0].outputs.map((o) => String(o.text));
}

describe("stream text as JupyterLab's output area leaves it", () => {
  const BACK = "\b".repeat(17);
  test.each<[string, string[], string[]]>([
    ["percentages on one line", ["10%\r20%\r30%\n"], ["30%\n"]],
    [
      "a tqdm bar, a chunk per frame",
      ["  0%|          | 0/3", "\r 33%|███▎      | 1/3", "\r 67%|██████▋   | 2/3", "\r100%|██████████| 3/3", "\n"],
      ["100%|██████████| 3/3\n"],
    ],
    ["a Keras Progbar, backspaces then \\r", ["1/3 [=>....] - 1s", `${BACK}\r2/3 [===>..] - 0s`, `${BACK}\r3/3 [======] - 0s\n`], ["3/3 [======] - 0s\n"]],
    ["backspaces", ["abc\b\bX\n"], ["aX\n"]],
    ["\\r over ANSI colours overwrites the escape codes' characters too", ["\x1b[31mred\x1b[0m\rblue\n"], ["bluemred\x1b[0m\n"]],
    ["\\r\\r\\n is a newline", ["a\r\r\nb"], ["a\nb"]],
    ["a \\r in the next chunk", ["line1\nab", "\rc"], ["line1\ncb"]],
    ["a backspace at the start of the text", ["\bstart"], ["start"]],
    ["a backspace at the start of a line", ["x\n\by"], ["x\ny"]],
    ["a trailing \\r, then the next chunk", ["abc\r", "de"], ["dec"]],
    ["a backspace right after \\r", ["abcd\r\bX\n"], ["Xbcd\n"]],
    ["more backspaces than characters", ["ab\b\b\b\bc\n"], ["c\n"]],
  ])("%s", (_, chunks, jupyterlab) => {
    expect(streamed(chunks)).toEqual(jupyterlab);
  });
});
