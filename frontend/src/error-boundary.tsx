// The app's last line of defence: a React error boundary that shows what broke instead of a blank
// page, and lets the user try again. Knows nothing of notebooks; the notebook itself lives on the
// server (and in autosave), so nothing the user saved is lost when a render fails.
import { Component, type ErrorInfo, type ReactNode } from "react";

/** State of {@link ErrorBoundary}: the error a child threw while rendering, if any. */
interface BoundaryState {
  error: Error | null;
}

/**
 * Catches errors thrown while rendering its children (React's error boundary contract:
 * getDerivedStateFromError + componentDidCatch) and shows the message with a "Try again"
 * button that renders the children anew. Errors in event handlers and promises are not
 * render errors: the app reports those itself.
 * @param props.children what to render while nothing has thrown.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, BoundaryState> {
  state: BoundaryState = { error: null };

  /** React calls this with the error a child threw while rendering. */
  static getDerivedStateFromError(error: unknown): BoundaryState {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  /** Logs the error and the component stack to the console for the developer tools. */
  componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error("tspy: the app failed to render", error, info.componentStack);
  }

  render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="tspy-crash" role="alert">
        <h2>The notebook app hit an error</h2>
        <pre>{`${error.name}: ${error.message}`}</pre>
        <p>Your notebook on the server is unchanged; unsaved edits since the last autosave may be missing.</p>
        <button className="tspy-crash-retry" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
