'use client';
/** Renders children only with a session; otherwise sends the user to sign in and back here. */
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, type ReactNode } from 'react';
import { useI18n } from '../_lib/i18n';
import { useSession } from '../_lib/session';

export function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const router = useRouter();
  const pathname = usePathname();
  const { t } = useI18n();
  useEffect(() => {
    if (session === null) router.replace(`/login?next=${encodeURIComponent(pathname)}`);
  }, [session, router, pathname]);
  if (!session) {
    return (
      <p className="page muted" role="status">
        {t('common.loading')}
      </p>
    );
  }
  return <>{children}</>;
}
