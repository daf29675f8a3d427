import type { ComponentChildren } from 'preact';

/** A term and its value, as a summary panel lists them. */
export type Fact = [term: string, value: ComponentChildren];

/** Terms and values in a grid that fills the panel's width. */
export function Facts({ facts }: { facts: Fact[] }) {
  return (
    <dl class="facts">
      {facts.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
