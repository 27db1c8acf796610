import type { Section } from "../nav";

/** A section whose page is not built yet: its title and what it will hold. */
export function PlaceholderPage({ section }: { section: Section }) {
  return (
    <section>
      <h1>{section.label}</h1>
      <p className="muted">{section.summary}</p>
    </section>
  );
}
