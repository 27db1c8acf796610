import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Navigate, Route, Routes } from "react-router";
import { BrowserRouter } from "react-router";

import { ApiError } from "./api/client";
import { SECTIONS } from "./nav";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PlaceholderPage } from "./pages/PlaceholderPage";
import { RunsPage } from "./pages/RunsPage";
import { Shell } from "./Shell";

/** A client error (4xx) will not change on retry; a lost connection or a 5xx may, once. */
function shouldRetry(failureCount: number, error: unknown): boolean {
  if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
  return failureCount < 1;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, retryDelay: 500, staleTime: 5_000 },
    },
  });
}

const queryClient = createQueryClient();

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Routes>
          <Route element={<Shell />}>
            <Route index element={<Navigate to="/assets" replace />} />
            <Route path="runs" element={<RunsPage />} />
            {SECTIONS.filter((section) => section.path !== "/runs").map((section) => (
              <Route
                key={section.path}
                path={`${section.path.slice(1)}/*`}
                element={<PlaceholderPage section={section} />}
              />
            ))}
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}
