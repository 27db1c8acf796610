import type { Timestamp } from "./api/types";

/** An error's headline: its message, prefixed with its class unless the message names it
 * already (Python's formatted errors read "ValueError: ..."). */
export function errorHeadline(error: { message: string; cls_name: string | null }): string {
  const message = error.message.trimEnd();
  if (!error.cls_name || message.startsWith(`${error.cls_name}:`)) return message;
  return `${error.cls_name}: ${message}`;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}

/** "2026-12-07 21:49:48" in the browser's time zone; "—" when absent or unreadable. */
export function formatTimestamp(value: Timestamp): string {
  if (value === null || value === "") return "—";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return "—";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}
