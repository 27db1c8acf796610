// The one place the UI talks HTTP to the server's JSON API (/api/v1). Errors come back as
// ApiError with the server's message (`{"error": {"message": ...}}`) so pages can show it.

export const API_PREFIX = "/api/v1";

export class ApiError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

type QueryScalar = string | number | boolean | null | undefined;
/** A list is sent as the parameter repeated (`?expand=a&expand=b`). */
type QueryValue = QueryScalar | readonly string[];

export function apiUrl(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) {
      for (const item of value) params.append(name, item);
    } else if (value !== null && value !== undefined) {
      params.set(name, String(value));
    }
  }
  const search = params.toString();
  return `${API_PREFIX}${path}${search ? `?${search}` : ""}`;
}

async function errorMessage(response: Response): Promise<string> {
  try {
    const body: unknown = await response.json();
    if (body && typeof body === "object" && "error" in body) {
      const error = (body as { error?: { message?: unknown } }).error;
      if (typeof error?.message === "string") return error.message;
    }
  } catch {
    // Not JSON (a proxy's HTML error page, an empty body): fall back to the status line.
  }
  return `${response.status} ${response.statusText || "error"}`.trim();
}

async function request<T>(url: string, init: RequestInit): Promise<T> {
  let response: Response;
  const headers: Record<string, string> = { Accept: "application/json" };
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  try {
    response = await fetch(url, { ...init, headers });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError(0, "The Headwater server could not be reached.");
  }
  if (!response.ok) throw new ApiError(response.status, await errorMessage(response));
  return (await response.json()) as T;
}

export function apiGet<T>(
  path: string,
  query: Record<string, QueryValue> = {},
  signal?: AbortSignal,
): Promise<T> {
  return request<T>(apiUrl(path, query), { signal });
}

/** A write whose arguments are all in the path. */
export function apiPost<T>(path: string): Promise<T> {
  return request<T>(apiUrl(path), { method: "POST" });
}

/** A write with a JSON body (launches, re-executions, limits); a 4xx carries the problem. */
export function apiPostJson<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
  return request<T>(apiUrl(path), { method: "POST", body: JSON.stringify(body), signal });
}

/** `/assets/a/b` from the key path ["a", "b"] (or "a/b"): each part URL-encoded. */
export function keyPath(key: readonly string[] | string): string {
  const parts = typeof key === "string" ? key.split("/") : key;
  return parts.map(encodeURIComponent).join("/");
}
