// Entry point of the notebook app: mounts <App> with connection settings read from the page's URL,
// inside an error boundary so that a render error shows a message, never a blank page.
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { ErrorBoundary } from "./error-boundary";
import { connectionSettings } from "./server";
import "./app.css";

createRoot(document.getElementById("root")!).render(
  <ErrorBoundary>
    <App settings={connectionSettings(location.href)} />
  </ErrorBoundary>,
);
