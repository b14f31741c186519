// Where the app's Jupyter Server is and how to talk to it: ServerConnection settings made from the
// page's URL. Everything the app asks the server goes through @jupyterlab/services with these.
import { ServerConnection } from "@jupyterlab/services";

/**
 * The base URL and token of the Jupyter Server, read from the page's URL. The app is served at
 * `<base_url>static/tspy/index.html`, so the base URL is what comes before `static/tspy/`, unless a
 * `baseUrl` query parameter names another server. The token is the `token` query parameter ("" when
 * absent: the server's cookie and XSRF check then authenticate the page).
 * @param href the page's URL (location.href).
 * @returns the server's base URL (ending in "/") and token.
 */
export function serverFromLocation(href: string): { baseUrl: string; token: string } {
  const url = new URL(href);
  const token = url.searchParams.get("token") ?? "";
  const given = url.searchParams.get("baseUrl");
  if (given) return { baseUrl: given.endsWith("/") ? given : `${given}/`, token };
  const marker = url.pathname.indexOf("/static/tspy/");
  const basePath = marker >= 0 ? url.pathname.slice(0, marker + 1) : "/";
  return { baseUrl: `${url.origin}${basePath}`, token };
}

/**
 * ServerConnection settings for the server named by the page's URL (see {@link serverFromLocation}).
 * @param href the page's URL.
 */
export function connectionSettings(href: string): ServerConnection.ISettings {
  const { baseUrl, token } = serverFromLocation(href);
  const wsUrl = `ws${baseUrl.slice(4)}`;
  return ServerConnection.makeSettings({ baseUrl, wsUrl, token, appendToken: true });
}
