import type { Metadata, Viewport } from 'next';
import { cookies, headers } from 'next/headers';
import type { ReactNode } from 'react';
import { I18nProvider } from './_lib/i18n';
import { LOCALE_COOKIE, LOCALES, parseAcceptLanguage, pickLocale, type Locale } from './_lib/i18n-dict';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Koma', template: '%s · Koma' },
  description: 'A real-time collaborative manga studio: people and AI agents in one live document.',
};

export const viewport: Viewport = {
  themeColor: '#0d0d12',
  colorScheme: 'dark',
  width: 'device-width',
  initialScale: 1,
};

/** The first paint is in the user's language: an explicit choice (cookie) wins, else the browser's. */
async function initialLocale(): Promise<Locale> {
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (chosen && (LOCALES as readonly string[]).includes(chosen)) return chosen as Locale;
  return pickLocale(parseAcceptLanguage((await headers()).get('accept-language')));
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const locale = await initialLocale();
  return (
    <html lang={locale}>
      <body>
        <I18nProvider initial={locale}>{children}</I18nProvider>
      </body>
    </html>
  );
}
