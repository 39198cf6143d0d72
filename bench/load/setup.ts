/**
 * Setup through the real HTTP API, as people would do it in the studio: every user registers,
 * the first of each group of N creates a project from a fixture story and adds the others as
 * editors, then everyone asks for a collab token for that project.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Api, mapLimit } from './api';

const STORIES = path.resolve(import.meta.dirname, '../../../shared/fixtures/stories');

export interface Story {
  name: string;
  text: string;
  language: 'ja' | 'en';
}

/** The good fixture stories (`ja-*.txt`, `en-*.txt`), in name order. */
export function loadStories(dir = STORIES): Story[] {
  const stories = readdirSync(dir)
    .filter((f) => /^(ja|en)-.+\.txt$/.test(f))
    .sort()
    .map((f) => ({ name: f.replace(/\.txt$/, ''), text: readFileSync(path.join(dir, f), 'utf8'), language: f.slice(0, 2) as 'ja' | 'en' }));
  if (stories.length === 0) throw new Error(`no fixture stories in ${dir}`);
  return stories;
}

export interface LoadUser {
  email: string;
  accessToken: string;
}

export interface LoadMember {
  user: LoadUser;
  /** The first collab token (fetched during setup; reconnects fetch fresh ones). */
  collabToken: string;
}

export interface LoadProject {
  id: string;
  docName: string;
  story: string;
  owner: LoadUser;
  members: LoadMember[];
  collabUrl: string;
}

export async function setUp(
  api: Api,
  options: { clients: number; projects: number; concurrency: number; stories?: string },
  log: (line: string) => void,
): Promise<LoadProject[]> {
  const run = randomBytes(3).toString('hex');
  const password = `load-${randomBytes(12).toString('hex')}`;
  const perProject = options.clients / options.projects;
  const stories = loadStories(options.stories);

  let done = 0;
  const tick = (what: string, total: number) => {
    done += 1;
    if (done % 200 === 0 || done === total) log(`  ${what}: ${done}/${total}`);
  };

  done = 0;
  const users = await mapLimit(Array.from({ length: options.clients }, (_, i) => i), options.concurrency, async (i) => {
    const email = `load-${run}-${i}@example.test`;
    const session = await api.register(email, `Load ${i}`, password);
    tick('users registered', options.clients);
    return { email, accessToken: session.accessToken };
  });

  done = 0;
  const created = await mapLimit(Array.from({ length: options.projects }, (_, p) => p), options.concurrency, async (p) => {
    const story = stories[p % stories.length];
    const owner = users[p * perProject];
    const project = await api.createProject(owner.accessToken, {
      title: `Load ${p + 1} · ${story.name}`,
      sourceText: story.text,
      language: story.language,
      readingDirection: story.language === 'ja' ? 'rtl' : 'ltr',
    });
    for (let k = 1; k < perProject; k += 1) await api.addMember(owner.accessToken, project.id, users[p * perProject + k].email, 'editor');
    tick('projects created with their members', options.projects);
    return { project, story, owner, members: users.slice(p * perProject, (p + 1) * perProject) };
  });

  done = 0;
  return mapLimit(created, options.concurrency, async ({ project, story, owner, members }) => {
    const withTokens: LoadMember[] = [];
    let collabUrl = '';
    for (const user of members) {
      const t = await api.collabToken(user.accessToken, project.id);
      collabUrl = t.url;
      withTokens.push({ user, collabToken: t.token });
    }
    tick('projects with collab tokens', created.length);
    return { id: project.id, docName: project.docName, story: story.name, owner, members: withTokens, collabUrl };
  });
}
