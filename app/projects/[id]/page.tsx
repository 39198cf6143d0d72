'use client';
import { useParams } from 'next/navigation';
import { AppHeader } from '../../_components/AppHeader';
import { RequireAuth } from '../../_components/RequireAuth';
import { Studio } from '../../_components/studio/Studio';

export default function StudioPage() {
  const { id } = useParams<{ id: string }>();
  return (
    <>
      <AppHeader />
      <RequireAuth>
        <Studio projectId={id} />
      </RequireAuth>
    </>
  );
}
