/**
 * A statement that rewrites one clause of function `signature` in place (its definition as the
 * server holds it) and fails unless the clause is there exactly once, so that the rest of the
 * function stays as the migrations before left it. For a migration that changes a few lines of a
 * long trigger function; reversed, for its down().
 */
export function rewriteFunction(signature: string, from: string, to: string): string {
  return `
    DO $do$
    DECLARE
      definition text := pg_get_functiondef('${signature}'::regprocedure);
    BEGIN
      IF (length(definition) - length(replace(definition, $from$${from}$from$, ''))) / length($from$${from}$from$) <> 1 THEN
        RAISE EXCEPTION '${signature} is not the version this migration expects';
      END IF;
      EXECUTE replace(definition, $from$${from}$from$, $to$${to}$to$);
    END
    $do$`;
}
