import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { Navigate, Route, Routes } from "react-router";
import { BrowserRouter } from "react-router";

import { ApiError } from "./api/client";
import { SECTIONS } from "./nav";
import { AssetGraphPage } from "./pages/AssetGraphPage";
import { AssetPage } from "./pages/AssetPage";
import { AutomationPage } from "./pages/AutomationPage";
import { BackfillPage } from "./pages/BackfillPage";
import { BackfillsPage } from "./pages/BackfillsPage";
import { DeploymentPage } from "./pages/DeploymentPage";
import { JobPage } from "./pages/JobPage";
import { JobsPage } from "./pages/JobsPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { PlaceholderPage } from "./pages/PlaceholderPage";
import { RunPage } from "./pages/RunPage";
import { RunsPage } from "./pages/RunsPage";
import { TicksPage } from "./pages/TicksPage";
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

/** Sections with pages of their own; the others show their placeholder. */
const BUILT = new Set(["/assets", "/runs", "/automation", "/backfills", "/deployment", "/jobs"]);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Routes>
          <Route element={<Shell />}>
            <Route index element={<Navigate to="/assets" replace />} />
            <Route path="assets" element={<AssetGraphPage />} />
            <Route path="assets/*" element={<AssetPage />} />
            <Route path="runs" element={<RunsPage />} />
            <Route path="runs/:runId" element={<RunPage />} />
            <Route path="automation" element={<AutomationPage />} />
            <Route
              path="automation/schedules/:location/:name"
              element={<TicksPage key="schedules" kind="schedules" />}
            />
            <Route
              path="automation/sensors/:location/:name"
              element={<TicksPage key="sensors" kind="sensors" />}
            />
            <Route path="backfills" element={<BackfillsPage />} />
            <Route path="backfills/:backfillId" element={<BackfillPage />} />
            <Route path="deployment" element={<DeploymentPage />} />
            <Route path="jobs" element={<JobsPage />} />
            <Route path="jobs/:location/:name" element={<JobPage />} />
            {SECTIONS.filter((section) => !BUILT.has(section.path)).map((section) => (
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
