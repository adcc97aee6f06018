import { useState } from 'react';

export interface IdempotencyKey {
  /** Send it as the `Idempotency-Key` header of the dialog's write. */
  readonly key: string;
  /** Call when the write succeeded: the next opening of the dialog gets a new key. */
  succeeded(): void;
}

/**
 * One Idempotency-Key per opening of a dialog: a double click, a retry after a timeout or an "outcome unknown", and
 * reopening after a failure all resend the same key, so the API applies the write once. The key is renewed only
 * when the dialog opens again after a success (a new, separate write).
 */
export function useIdempotencyKey(open: boolean): IdempotencyKey {
  const [key, setKey] = useState(() => crypto.randomUUID());
  const [used, setUsed] = useState(false);
  const [wasOpen, setWasOpen] = useState(open);
  // Adjusting state while rendering (React's pattern for "when a prop changes"): no effect, no stale key for one render.
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open && used) {
      setKey(crypto.randomUUID());
      setUsed(false);
    }
  }
  return { key, succeeded: () => setUsed(true) };
}
