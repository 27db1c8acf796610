// The app's top-level sections, in the order the left nav shows them.

export interface Section {
  path: string;
  label: string;
  summary: string;
}

export const SECTIONS: readonly Section[] = [
  { path: "/assets", label: "Assets", summary: "The asset graph: lineage, status and materializations." },
  { path: "/runs", label: "Runs", summary: "Runs with their status, step timeline and event log." },
  { path: "/jobs", label: "Jobs", summary: "Jobs, their op graphs and the launchpad." },
  { path: "/automation", label: "Automation", summary: "Schedules and sensors, their ticks and toggles." },
  { path: "/backfills", label: "Backfills", summary: "Backfills over partition ranges and their progress." },
  { path: "/deployment", label: "Deployment", summary: "Code locations, their load status and reloads." },
];
