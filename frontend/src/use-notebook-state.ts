// The open notebook as React state, changed only through its reducer (notebook-reducer.ts).
import { useCallback, useRef, useState, type RefObject } from "react";
import type { NotebookState } from "./model";
import { notebookReducer, type Action } from "./notebook-reducer";

/** The open notebook: the rendered state, the same state ahead of React's render, and the way to change it. */
export interface NotebookStateHandle {
  /** The notebook as of the last render (null when none is open). */
  notebook: NotebookState | null;
  /**
   * The notebook as of the last action, ahead of React's render: a cell run right after an edit
   * (Shift+Enter after typing) must run the edited source.
   */
  notebookRef: RefObject<NotebookState | null>;
  /** Applies an action (a stable function). */
  dispatch: (action: Action) => void;
}

/** Holds the open notebook (none at first); see {@link NotebookStateHandle}. */
export function useNotebookState(): NotebookStateHandle {
  const [notebook, setNotebook] = useState<NotebookState | null>(null);
  const notebookRef = useRef<NotebookState | null>(null);
  const dispatch = useCallback((action: Action) => {
    notebookRef.current = notebookReducer(notebookRef.current, action);
    setNotebook(notebookRef.current);
  }, []);
  return { notebook, notebookRef, dispatch };
}
