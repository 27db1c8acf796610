// What a page shows when its data could not be read: the server's message and, when the
// read can be repeated, "Try again". One component so every page says it the same way.

export function LoadError({
  what,
  message,
  retry,
}: {
  /** Names the thing, e.g. "The runs". */
  what: string;
  message: string | undefined;
  retry?: () => void;
}) {
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>{what} could not be loaded.</strong> {message}
      </p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}
