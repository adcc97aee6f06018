import { ConfigProvider, message, Segmented } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCNAntd from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createContext, use, useCallback, useMemo, useState, type ReactNode } from 'react';
import { formatMoneyCents, formatPoints } from '../format';
import { en, type MessageKey, type Messages } from './en';
import { zhCN } from './zh-cn';

export const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];

/** Where the operator's choice is kept across visits. */
export const LOCALE_STORAGE_KEY = 'console.locale';

const catalogues: Record<Locale, Messages> = { 'zh-CN': zhCN, en };
const antdLocales = { 'zh-CN': zhCNAntd, en: enUS } as const;
const dayjsLocales: Record<Locale, string> = { 'zh-CN': 'zh-cn', en: 'en' };

/** zh-CN when the browser's first Chinese-or-English preference is Chinese, en otherwise. */
export function preferredLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    const tag = language.toLowerCase();
    if (tag === 'zh' || tag.startsWith('zh-')) return 'zh-CN';
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
  }
  return 'en';
}

function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (locales as readonly string[]).includes(value);
}

/** The stored choice, else the browser's preference. */
export function initialLocale(): Locale {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(LOCALE_STORAGE_KEY);
  } catch {
    // Storage refused (private mode, policy): the browser's preference it is.
  }
  if (isLocale(stored)) return stored;
  return preferredLocale(navigator.languages?.length ? navigator.languages : [navigator.language ?? 'en']);
}

type Vars = Readonly<Record<string, string | number>>;

function fill(text: string, vars: Vars | undefined): string {
  return vars ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? String(vars[name]) : whole)) : text;
}

export interface I18n {
  readonly locale: Locale;
  setLocale(locale: Locale): void;
  /** The message for `key` in the current locale, `{name}` placeholders filled from `vars`. */
  t(key: MessageKey, vars?: Vars): string;
  /** Money in CNY, two decimals, the locale's notation. */
  money(cents: number): string;
  /** Points with the locale's grouping. */
  points(value: number): string;
}

type MessageInstance = ReturnType<typeof message.useMessage>[0];

const I18nContext = createContext<I18n | null>(null);
const MessageContext = createContext<MessageInstance | null>(null);

function applyGlobalLocale(locale: Locale): void {
  // dayjs's locale is global (month and weekday names in pickers and formats); the page language helps screen readers.
  dayjs.locale(dayjsLocales[locale]);
  document.documentElement.lang = locale;
}

/**
 * The console's locale: messages, number formats, antd's ConfigProvider locale and dayjs's locale all follow it.
 * Also provides antd's message API in that locale and theme (useMessage; antd's App component would add modal and
 * notification to every page's first load).
 */
export function LocaleProvider({ children, initial }: { readonly children: ReactNode; readonly initial?: Locale }) {
  const [locale, setLocaleState] = useState<Locale>(() => {
    const first = initial ?? initialLocale();
    applyGlobalLocale(first);
    return first;
  });
  const setLocale = useCallback((next: Locale) => {
    applyGlobalLocale(next);
    try {
      localStorage.setItem(LOCALE_STORAGE_KEY, next);
    } catch {
      // Not kept across visits; it still applies now.
    }
    setLocaleState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const messages = catalogues[locale];
    return {
      locale,
      setLocale,
      t: (key, vars) => fill(messages[key], vars),
      money: (cents) => formatMoneyCents(cents, locale),
      points: (points) => formatPoints(points, locale),
    };
  }, [locale, setLocale]);
  return (
    <I18nContext value={value}>
      <ConfigProvider locale={antdLocales[locale]}>
        <Messages>{children}</Messages>
      </ConfigProvider>
    </I18nContext>
  );
}

function Messages({ children }: { readonly children: ReactNode }) {
  const [api, holder] = message.useMessage();
  return (
    <MessageContext value={api}>
      {holder}
      {children}
    </MessageContext>
  );
}

/** antd's message API under the LocaleProvider (toasts in the operator's locale). */
export function useMessage(): MessageInstance {
  const api = use(MessageContext);
  if (!api) throw new Error('useMessage needs a LocaleProvider above it');
  return api;
}

export function useI18n(): I18n {
  const i18n = use(I18nContext);
  if (!i18n) throw new Error('useI18n needs a LocaleProvider above it');
  return i18n;
}

/** A screen's own messages in both locales (see defineMessages). */
export type ScreenMessages<K extends string> = { readonly [L in Locale]: Readonly<Record<K, string>> };

/**
 * A screen's own messages, kept in the screen's folder so they load with the screen rather than with every page
 * (the core catalogues in en.ts and zh-cn.ts are in the first load of the sign-in page, which has a size budget).
 * zh-CN must have exactly the keys of en: a missing or unknown key is a typecheck error.
 */
export function defineMessages<K extends string>(en: Record<K, string>, zhCN: Record<NoInfer<K>, string>): ScreenMessages<K> {
  return { en, 'zh-CN': zhCN };
}

/** The locale with `t` knowing a screen's own keys as well as the core ones. */
export type ScreenI18n<K extends string> = Omit<I18n, 't'> & { t(key: MessageKey | K, vars?: Vars): string };

export function useMessages<K extends string>(messages: ScreenMessages<K>): ScreenI18n<K> {
  const i18n = useI18n();
  return useMemo(() => {
    const own: Readonly<Record<string, string>> = messages[i18n.locale];
    return { ...i18n, t: (key: MessageKey | K, vars?: Vars) => (Object.hasOwn(own, key) ? fill(own[key] ?? key, vars) : i18n.t(key as MessageKey, vars)) };
  }, [i18n, messages]);
}

const localeNames: Record<Locale, string> = { 'zh-CN': '中文', en: 'English' };

/** The language switch of the header and the sign-in page. */
export function LocaleSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <Segmented<Locale>
      aria-label={t('locale.label')}
      size="small"
      value={locale}
      onChange={setLocale}
      options={locales.map((l) => ({ value: l, label: localeNames[l] }))}
    />
  );
}
