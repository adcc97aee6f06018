import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProblemError } from '../../api/problem';
import { LocaleProvider, type Locale } from '../../i18n/locale';
import { DateRangeForm, lastDays, programmeToday, type DayRange } from './date-range-form';

afterEach(() => {
  vi.useRealTimers();
});

function renderForm(props: { initial: DayRange; maxDays?: number; onSubmit?: (range: DayRange) => Promise<void>; locale?: Locale }) {
  const onSubmit = vi.fn(props.onSubmit ?? (async () => undefined));
  render(
    <LocaleProvider initial={props.locale ?? 'en'}>
      <DateRangeForm maxDays={props.maxDays ?? 31} initial={props.initial} onSubmit={onSubmit} />
    </LocaleProvider>,
  );
  return onSubmit;
}

/** The error texts shown under the range field. */
function rangeErrors(): string[] {
  const item = screen.getByPlaceholderText(/Start date|开始日期/).closest('.ant-form-item');
  return [...(item?.querySelectorAll('.ant-form-item-explain-error') ?? [])].map((e) => e.textContent ?? '');
}

describe('the date range form', () => {
  it('submits the chosen days as programme dates and names the zone they are in', async () => {
    // Prepare
    const onSubmit = renderForm({ initial: { from: '2026-02-01', to: '2026-02-28' } });

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Show' }));

    // Assess
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ from: '2026-02-01', to: '2026-02-28' }));
    expect(screen.getByText('Programme days (Asia/Shanghai)')).toBeTruthy();
  });

  it('takes a range typed into the picker', async () => {
    // Prepare
    const onSubmit = renderForm({ initial: { from: '2026-02-01', to: '2026-02-28' } });
    const start = screen.getByPlaceholderText('Start date');
    const end = screen.getByPlaceholderText('End date');

    // Act
    await userEvent.click(start);
    fireEvent.change(start, { target: { value: '2026-01-05' } });
    fireEvent.keyDown(start, { key: 'Enter' });
    fireEvent.change(end, { target: { value: '2026-01-20' } });
    fireEvent.keyDown(end, { key: 'Enter' });
    await userEvent.click(screen.getByRole('button', { name: 'Show' }));

    // Assess
    await waitFor(() => expect(onSubmit).toHaveBeenCalledWith({ from: '2026-01-05', to: '2026-01-20' }));
  });

  it('refuses a range longer than the report takes, without asking the API', async () => {
    // Prepare
    const onSubmit = renderForm({ initial: { from: '2026-01-01', to: '2026-02-01' }, maxDays: 31 });

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Show' }));

    // Assess: 32 days
    await waitFor(() => expect(rangeErrors()).toEqual(['At most 31 days at a time.']));
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('says so in Chinese', async () => {
    // Prepare
    renderForm({ initial: { from: '2026-01-01', to: '2026-02-01' }, maxDays: 31, locale: 'zh-CN' });

    // Act
    await userEvent.click(screen.getByRole('button', { name: '查 询' }));

    // Assess
    await waitFor(() => expect(rangeErrors()).toEqual(['一次最多 31 天。']));
    expect(screen.getByText('按项目时区计日（Asia/Shanghai）')).toBeTruthy();
  });

  it('puts the field errors of a refused range on the range field', async () => {
    // Prepare
    const refused = new ProblemError({
      type: 'about:blank',
      title: 'Validation failed',
      status: 400,
      detail: 'The request is not valid.',
      code: 'VALIDATION_FAILED',
      errors: [
        { path: 'query.to', message: 'to is not a calendar date' },
        { path: 'query.from', message: 'from must not be after to' },
      ],
    });
    renderForm({ initial: { from: '2026-02-01', to: '2026-02-28' }, onSubmit: async () => Promise.reject(refused) });

    // Act
    await userEvent.click(screen.getByRole('button', { name: 'Show' }));

    // Assess: both on the one field, the message points at it
    await waitFor(() => expect(rangeErrors()).toEqual(['to is not a calendar date', 'from must not be after to']));
    expect(await screen.findByText('Check the highlighted fields.')).toBeTruthy();
  });

  it('counts days in the programme zone, not the browser’s', () => {
    // Prepare: 20:00 UTC on 31 March is 04:00 on 1 April in Shanghai
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-31T20:00:00Z'));

    // Act
    const today = programmeToday();
    const month = lastDays(30);

    // Assess
    expect(today).toBe('2026-04-01');
    expect(month).toEqual({ from: '2026-03-03', to: '2026-04-01' });
  });
});
