import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ProblemError, type Problem } from '../../api/problem';
import { LocaleProvider } from '../../i18n/locale';
import { DecisionDialog, type Decision } from './decision-dialog';

const makerChecker: Problem = {
  type: 'https://points-mall.dev/problems/forbidden',
  title: 'Forbidden',
  status: 403,
  detail: 'you requested this adjustment: another operator must approve or reject it (maker-checker)',
  code: 'FORBIDDEN',
};

function Harness({ send, onDone, decision = 'approve', warning }: { readonly send: (reason: string, key: string) => Promise<string>; readonly onDone: (r: string) => void; readonly decision?: Decision; readonly warning?: string }) {
  const [open, setOpen] = useState(true);
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        reopen
      </button>
      <DecisionDialog<string>
        open={open}
        decision={decision}
        title="Approve the adjustment ap-1"
        subject="+20,000,000 points for m-gold"
        effect="The adjustment is applied once, when you approve."
        {...(warning ? { warning } : {})}
        send={send}
        onDone={(r) => {
          setOpen(false);
          onDone(r);
        }}
        onCancel={() => setOpen(false)}
      />
    </>
  );
}

function renderDialog(props: Parameters<typeof Harness>[0]) {
  return render(
    <LocaleProvider initial="en">
      <Harness {...props} />
    </LocaleProvider>,
  );
}

function reasonItem(): HTMLElement {
  const item = screen.getByLabelText('Reason').closest('.ant-form-item');
  if (!(item instanceof HTMLElement)) throw new Error('no reason field');
  return item;
}

describe('the approval decision dialog', () => {
  it('asks for a reason of at least 3 characters before sending', async () => {
    // Prepare
    const send = vi.fn(async () => 'done');
    renderDialog({ send, onDone: vi.fn() });

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));

    // Assess
    await waitFor(() => expect(reasonItem().textContent).toContain('Give a reason of at least 3 characters'));

    // Act
    await userEvent.type(screen.getByLabelText('Reason'), 'no');
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));

    // Assess
    await waitFor(() => expect(reasonItem().textContent).toContain('Give a reason of at least 3 characters'));
    expect(send).not.toHaveBeenCalled();
  });

  it("shows the API's refusal in the dialog, and a retry resends the same key until it succeeds", async () => {
    // Prepare
    const send = vi.fn<(reason: string, key: string) => Promise<string>>();
    send.mockRejectedValueOnce(new ProblemError(makerChecker)).mockResolvedValueOnce('approved');
    const onDone = vi.fn();
    renderDialog({ send, onDone, warning: 'You requested this adjustment: another operator must decide.' });
    expect(screen.getByText('You requested this adjustment: another operator must decide.')).toBeTruthy();
    await userEvent.type(screen.getByLabelText('Reason'), '  checked the file  ');

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));

    // Assess: the refusal in the API's words, in the dialog
    const refusal = await screen.findByTestId('decision-refusal');
    expect(refusal.textContent).toContain('Not decided');
    expect(refusal.textContent).toContain('another operator must approve or reject it (maker-checker)');
    expect(onDone).not.toHaveBeenCalled();

    // Act: the operator retries
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));

    // Assess: the reason trimmed, one key for both tries, done
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('approved'));
    expect(send.mock.calls.map(([reason]) => reason)).toEqual(['checked the file', 'checked the file']);
    expect(send.mock.calls[1]?.[1]).toBe(send.mock.calls[0]?.[1]);
  });

  it('puts a field error on the reason', async () => {
    // Prepare
    const send = vi.fn(async () => {
      throw new ProblemError({
        type: 'https://points-mall.dev/problems/validation-failed',
        title: 'Request is not valid',
        status: 400,
        detail: 'body.reason: Too big: expected string to have <=500 characters',
        code: 'VALIDATION_FAILED',
        errors: [{ path: 'body.reason', message: 'Too big: expected string to have <=500 characters' }],
      });
    });
    renderDialog({ send, onDone: vi.fn(), decision: 'reject' });
    await userEvent.type(screen.getByLabelText('Reason'), 'not a real purchase');

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Reject' }));

    // Assess
    await waitFor(() => expect(reasonItem().textContent).toContain('Too big: expected string to have <=500 characters'));
  });
});
