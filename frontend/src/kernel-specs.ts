// The server's kernelspecs, for the kernel picker: listed once per server through
// @jupyterlab/services' KernelSpecManager.
import { useEffect, useState } from "react";
import { KernelSpecManager, type ServerConnection } from "@jupyterlab/services";

/** One kernelspec of the server: [name, display name, language] (e.g. `["python3", "Python 3 (ipykernel)", "python"]`). */
export type KernelSpecRow = [string, string, string];

/**
 * The server's kernelspecs, empty until they are listed.
 * @param settings the server.
 * @param onError told (with a sentence for the user) when they cannot be listed; a stable function
 *   (a state setter), else the list is asked for again on every render.
 */
export function useKernelSpecs(settings: ServerConnection.ISettings, onError: (text: string) => void): KernelSpecRow[] {
  const [kernelSpecs, setKernelSpecs] = useState<KernelSpecRow[]>([]);
  useEffect(() => {
    const specs = new KernelSpecManager({ serverSettings: settings });
    specs.ready
      .then(() => specs.refreshSpecs())
      .then(() =>
        setKernelSpecs(Object.values(specs.specs?.kernelspecs ?? {}).flatMap((k) => (k ? [[k.name, k.display_name, k.language] as KernelSpecRow] : []))),
      )
      .catch((e: unknown) => onError(`cannot list kernels: ${String(e)}`));
    return () => specs.dispose();
  }, [settings, onError]);
  return kernelSpecs;
}
