import { CloudflareError } from '../cloudflare/errors.js';

/** A store or a secret in a message: its name, quoted, then its id (`"API_KEY" (0123…)`). */
export function nameAndId(name: string, id: string): string {
  return `"${name}" (${id})`;
}

/**
 * A failure the user can act on (bad input, a missing store, a name conflict): no stack trace.
 * A message about several things is a head line and one `- item` line each: `lines` keeps them
 * apart, so each can be printed as one line whatever the items hold.
 */
export class ActionError extends Error {
  readonly lines: readonly string[];
  constructor(message: string, items: readonly string[] = []) {
    const lines = [message, ...items.map((item) => `- ${item}`)];
    super(lines.join('\n'));
    this.name = 'ActionError';
    this.lines = lines;
  }
}

/** True for the failures this action expects and explains; anything else is a bug. */
export function isExpectedFailure(error: unknown): error is ActionError | CloudflareError {
  return error instanceof ActionError || error instanceof CloudflareError;
}

/** The message a failure is reported with: what to do for an expected one, "Unexpected" else. */
export function failureText(error: unknown): string {
  if (error instanceof CloudflareError && error.kind === 'deadline') {
    // The client knows only its deadline; the action knows which input sets it.
    return `${error.message} The timeout-seconds input sets that time budget.`;
  }
  if (
    error instanceof CloudflareError &&
    error.status !== undefined &&
    error.status >= 300 &&
    error.status < 400
  ) {
    return `${error.message} Check the api-base-url input.`;
  }
  if (isExpectedFailure(error)) return error.message;
  return `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

/** The failure as the lines it is printed in (see ActionError). */
export function failureLines(error: unknown): readonly string[] {
  return error instanceof ActionError ? error.lines : [failureText(error)];
}
