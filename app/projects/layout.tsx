/**
 * Server layout of /projects/*: carries the inline script that starts the dashboard's project
 * list request while the JavaScript is still loading (see app/_lib/early-projects.ts). The
 * script does nothing on the other pages under /projects.
 */
import type { ReactNode } from 'react';
import { earlyProjectsScript } from '../_lib/early-projects';

export default function ProjectsLayout({ children }: { children: ReactNode }) {
  return (
    <>
      <script dangerouslySetInnerHTML={{ __html: earlyProjectsScript() }} />
      {children}
    </>
  );
}
