import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useIdempotencyKey } from './use-idempotency-key';

describe('useIdempotencyKey', () => {
  it('keeps one key while the dialog is open and across a reopening after a failure', () => {
    // Prepare
    const { result, rerender } = renderHook(({ open }) => useIdempotencyKey(open), { initialProps: { open: true } });
    const first = result.current.key;

    // Act: a failed write (no success), closed and reopened
    rerender({ open: true });
    rerender({ open: false });
    rerender({ open: true });

    // Assess
    expect(result.current.key).toBe(first);
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives a new key when the dialog reopens after a success, not before', () => {
    // Prepare
    const { result, rerender } = renderHook(({ open }) => useIdempotencyKey(open), { initialProps: { open: true } });
    const first = result.current.key;

    // Act
    act(() => result.current.succeeded());
    rerender({ open: true });
    const afterSuccess = result.current.key;
    rerender({ open: false });
    rerender({ open: true });

    // Assess: a double submit after success still sends the same key; the next opening is a new write
    expect(afterSuccess).toBe(first);
    expect(result.current.key).not.toBe(first);
  });
});
