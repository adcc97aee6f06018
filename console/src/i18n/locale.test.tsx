import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Empty } from 'antd';
import dayjs from 'dayjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatMoneyCents, formatPoints, formatProgrammeTime, fromProgrammeInput, programmeTime } from '../format';
import { initialLocale, LOCALE_STORAGE_KEY, LocaleProvider, LocaleSwitch, preferredLocale, useI18n } from './locale';

function Page() {
  const { t, money, points } = useI18n();
  return (
    <>
      <LocaleSwitch />
      <h1>{t('menu.campaigns')}</h1>
      <p data-testid="amounts">
        {money(123456)} / {points(1234567)}
      </p>
      <p data-testid="month">{dayjs('2026-12-04T02:00:00Z').format('MMMM')}</p>
      {/* antd's own texts follow ConfigProvider's locale */}
      <Empty />
    </>
  );
}

afterEach(() => vi.unstubAllGlobals());

describe('the locale', () => {
  it('defaults to zh-CN for a browser that prefers Chinese and to en otherwise', () => {
    expect(preferredLocale(['zh-CN', 'en-US'])).toBe('zh-CN');
    expect(preferredLocale(['zh-TW'])).toBe('zh-CN');
    expect(preferredLocale(['fr-FR', 'zh'])).toBe('zh-CN');
    expect(preferredLocale(['en-GB', 'zh-CN'])).toBe('en');
    expect(preferredLocale(['fr-FR', 'de'])).toBe('en');
    expect(preferredLocale([])).toBe('en');
  });

  it("starts from the operator's stored choice over the browser's preference", () => {
    // Prepare
    vi.stubGlobal('navigator', { ...navigator, languages: ['zh-CN'] });
    expect(initialLocale()).toBe('zh-CN');

    // Act
    localStorage.setItem(LOCALE_STORAGE_KEY, 'en');

    // Assess
    expect(initialLocale()).toBe('en');
  });

  it('switches messages, number formats, dayjs and antd together, and keeps the choice', async () => {
    // Prepare
    vi.stubGlobal('navigator', { ...navigator, languages: ['zh-CN', 'en'] });
    render(
      <LocaleProvider>
        <Page />
      </LocaleProvider>,
    );
    expect(screen.getByRole('heading').textContent).toBe('营销活动');
    expect(screen.getByTestId('amounts').textContent).toBe('¥1,234.56 / 1,234,567');
    expect(screen.getByTestId('month').textContent).toBe('十二月');
    expect(document.querySelector('.ant-empty-description')?.textContent).toBe('暂无数据');
    expect(document.documentElement.lang).toBe('zh-CN');

    // Act
    await userEvent.click(screen.getByText('English'));

    // Assess
    expect(screen.getByRole('heading').textContent).toBe('Campaigns');
    expect(screen.getByTestId('amounts').textContent).toBe('CN¥1,234.56 / 1,234,567');
    expect(screen.getByTestId('month').textContent).toBe('December');
    expect(document.querySelector('.ant-empty-description')?.textContent).toBe('No data');
    expect(document.documentElement.lang).toBe('en');
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('en');

    // Act: and back
    await userEvent.click(screen.getByText('中文'));

    // Assess
    expect(screen.getByRole('heading').textContent).toBe('营销活动');
    expect(localStorage.getItem(LOCALE_STORAGE_KEY)).toBe('zh-CN');
  });
});

describe('the formats', () => {
  it('shows money in CNY with two decimals and points with grouping', () => {
    expect(formatMoneyCents(5, 'zh-CN')).toBe('¥0.05');
    expect(formatMoneyCents(100_000_000, 'en')).toBe('CN¥1,000,000.00');
    expect(formatPoints(10_000_000, 'zh-CN')).toBe('10,000,000');
  });

  it("shows and takes times in the programme's time zone, zone visible", () => {
    expect(formatProgrammeTime('2026-12-04T02:00:00.000Z')).toBe('2026-12-04 10:00 (Asia/Shanghai)');
    // 10:00 picked means 10:00 in Shanghai whatever the browser's zone: 02:00 UTC
    expect(fromProgrammeInput(programmeTime('2026-12-04T02:00:00.000Z'))).toBe('2026-12-04T02:00:00.000Z');
    expect(fromProgrammeInput(dayjs('2026-12-05T00:00:00'))).toBe('2026-12-04T16:00:00.000Z');
  });
});
