import { Button } from 'antd';
import { useState } from 'react';

/**
 * How many times a dialog has been opened: its footer's buttons are keyed by it, so each opening starts with fresh
 * buttons. (antd's Modal `confirmLoading` could leave the OK button showing "loading" at the next opening when the
 * dialog closed while its write was finishing; seen in the browser tests.)
 */
export function useOpenings(open: boolean): number {
  const [openings, setOpenings] = useState(open ? 1 : 0);
  const [wasOpen, setWasOpen] = useState(open);
  // Adjusting state while rendering (React's pattern for "when a prop changes"), as useIdempotencyKey does.
  if (open !== wasOpen) {
    setWasOpen(open);
    if (open) setOpenings((n) => n + 1);
  }
  return openings;
}

/** A dialog's Cancel and OK buttons, OK loading while its write runs; new buttons for each opening. */
export function DialogFooter({
  opening,
  busy,
  okText,
  cancelText,
  danger = false,
  onOk,
  onCancel,
}: {
  readonly opening: number;
  readonly busy: boolean;
  readonly okText: string;
  readonly cancelText: string;
  readonly danger?: boolean;
  readonly onOk: () => void;
  readonly onCancel: () => void;
}) {
  return (
    <>
      <Button key={`cancel-${opening}`} onClick={onCancel}>
        {cancelText}
      </Button>
      <Button key={`ok-${opening}`} type="primary" danger={danger} loading={busy} onClick={onOk}>
        {okText}
      </Button>
    </>
  );
}
