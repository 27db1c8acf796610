import { useQuery } from "@tanstack/react-query";

import { apiGet } from "./client";

/** GET /server_info: what the server is. */
export interface ServerInfo {
  read_only: boolean;
  version: string;
}

/** The title of every write control a read-only server would refuse. */
export const READ_ONLY_TITLE = "Read-only: this server refuses changes";

export function useServerInfo() {
  return useQuery({
    queryKey: ["server_info"],
    queryFn: ({ signal }) => apiGet<ServerInfo>("/server_info", {}, signal),
    staleTime: Infinity, // fixed for the server's lifetime
  });
}

/** Whether writes are refused (`headwater webserver --read-only`), and the title a disabled
 * write control shows. Until the answer comes, writes are assumed allowed: the server still
 * refuses them with a 403 the control shows. */
export function useReadOnly(): { readOnly: boolean; title: string | undefined } {
  const readOnly = useServerInfo().data?.read_only === true;
  return { readOnly, title: readOnly ? READ_ONLY_TITLE : undefined };
}
