// Entry point of the notebook app: mounts <App> with connection settings read from the page's URL.
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { connectionSettings } from "./server";
import "./app.css";

createRoot(document.getElementById("root")!).render(<App settings={connectionSettings(location.href)} />);
