import { NavLink, Outlet } from "react-router";

import { READ_ONLY_TITLE, useReadOnly } from "./api/serverInfo";
import { SECTIONS } from "./nav";

/** The app frame: the left nav with the six sections, the current page beside it. */
export function Shell() {
  const { readOnly } = useReadOnly();
  return (
    <div className="shell">
      <nav className="nav" aria-label="Main">
        <div className="brand">Headwater</div>
        {readOnly && (
          <div className="read-only-badge" role="status" title={READ_ONLY_TITLE}>
            read-only
          </div>
        )}
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.path}>
              <NavLink to={section.path}>{section.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main className="page">
        <Outlet />
      </main>
    </div>
  );
}
