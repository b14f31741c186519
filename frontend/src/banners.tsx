// The notebook's banners and its one dialog: the file changed on disk (conflict), unsaved edits kept
// in this browser (backup), a question before something that cannot be undone (confirmation), and
// what happened to the kernel (notice). Each is drawn only while it has something to say.
import type { NotebookBackup } from "./document";
import type { KernelNotice } from "./kernel-session";

/** A question the app asks before doing something that cannot be undone (restart, shut down). */
export interface Confirmation {
  text: string;
  /** The OK button's label. */
  ok: string;
  run: () => void;
}

/**
 * The file changed on disk since it was opened or last saved: overwrite it, or reload it and lose
 * the changes made here.
 */
export function ConflictBanner(props: { path: string; onOverwrite: () => void; onReload: () => void }) {
  return (
    <div className="tspy-conflict" role="alert">
      <span>
        {props.path} changed on disk since it was opened or last saved. Overwrite the file with this notebook, or reload it from disk and lose the changes made
        here?
      </span>
      <button className="tspy-conflict-overwrite" onClick={props.onOverwrite}>
        Overwrite
      </button>
      <button className="tspy-conflict-reload" onClick={props.onReload}>
        Reload
      </button>
    </div>
  );
}

/** Unsaved changes of `path` kept in this browser (see document.ts' backups): restore or discard them. */
export function BackupBanner(props: { path: string; backup: NotebookBackup; onTake: (restore: boolean) => void }) {
  return (
    <div className="tspy-backup" role="alert">
      <span>
        {props.path} has unsaved changes from {new Date(props.backup.savedAt).toLocaleString()}, kept in this browser. Restore them, or keep the file as it is
        on disk?
      </span>
      <button className="tspy-backup-restore" onClick={() => props.onTake(true)}>
        Restore
      </button>
      <button className="tspy-backup-discard" onClick={() => props.onTake(false)}>
        Discard
      </button>
    </div>
  );
}

/**
 * A modal question (JupyterLab's "Restart Kernel?"): OK (focused) runs it, Cancel or Escape drops it.
 * Its keys stay in the dialog (they are not command-mode keys).
 * @param props.onClose called first on either button (the app hides the dialog and focuses the notebook).
 * @param props.onEscape called on Escape (the app hides the dialog).
 */
export function ConfirmDialog(props: { confirmation: Confirmation; onClose: () => void; onEscape: () => void }) {
  return (
    <div
      className="tspy-confirm"
      role="dialog"
      aria-modal="true"
      onKeyDown={(e) => {
        e.stopPropagation();
        if (e.key === "Escape") props.onEscape();
      }}
    >
      <span>{props.confirmation.text}</span>
      <button
        className="tspy-confirm-ok"
        autoFocus
        onClick={() => {
          props.onClose();
          props.confirmation.run();
        }}
      >
        {props.confirmation.ok}
      </button>
      <button className="tspy-confirm-cancel" onClick={props.onClose}>
        Cancel
      </button>
    </div>
  );
}

/** What happened to the kernel (restarted, died, ...), until dismissed. */
export function KernelNoticeBanner(props: { notice: KernelNotice; onDismiss: () => void }) {
  return (
    <div className="tspy-kernel-notice" data-kind={props.notice.kind} role="status">
      <span>{props.notice.text}</span>
      <button className="tspy-notice-dismiss" aria-label="dismiss" onClick={props.onDismiss}>
        ×
      </button>
    </div>
  );
}
