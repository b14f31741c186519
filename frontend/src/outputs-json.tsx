// application/json outputs as a collapsible tree (react-json-view-lite): objects and arrays open
// and close on click. Knows nothing of kernels or the other MIME types.
import { JsonView, allExpanded, collapseAllNested, defaultStyles } from "react-json-view-lite";
import "react-json-view-lite/dist/index.css";

/**
 * A JSON value as a tree whose object and array nodes expand and collapse (click or keyboard).
 * A top-level scalar (string, number, boolean, null) has no tree: it is shown as JSON text.
 * @param props.data the parsed JSON value.
 * @param props.expanded open every level at first (nbformat's `metadata["application/json"].expanded`);
 *   otherwise only the top level is open.
 */
export function JsonTreeView({ data, expanded = false }: { data: unknown; expanded?: boolean }) {
  if (data === null || typeof data !== "object") return <pre className="tspy-json tspy-plain">{JSON.stringify(data) ?? String(data)}</pre>;
  return (
    <div className="tspy-json">
      <JsonView data={data} shouldExpandNode={expanded ? allExpanded : collapseAllNested} style={defaultStyles} clickToExpandNode />
    </div>
  );
}
