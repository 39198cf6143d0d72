/**
 * Who says each quoted line. In order of trust:
 *  1. the text says so: 「…」と湊が言った, 松井さんは「…」, "…," Tobias said, said Mara, "…," she said
 *  2. a second quote in the same paragraph continues the same speaker
 *  3. the narration around it in the same paragraph names the speaker (action beats)
 *  4. the narration paragraph just before it has a subject (ひなたは傘を握りしめた。「…」)
 *  5. turn-taking: two people talking alternate
 * otherwise null. A line never goes to the person it addresses (「湊さん！」 is not 湊's).
 * Role words ("her grandfather said") are resolved when a later line shows who answers to
 * that role ("Grandpa, …" → the next speaker, Tobias).
 */
import { EN_ROLE_NOUNS, EN_SPEECH_VERBS, JA_HONORIFICS, JA_SPEECH_VERBS } from './lexicon';
import { memberNamed, trimJaRun, type CastMember } from './cast';
import type { Quote, Span, StoryText } from './story';

export type AttributionVia = 'explicit' | 'continuation' | 'paragraph' | 'previous' | 'turn-taking' | 'next' | 'role' | 'none';

export interface Attribution {
  quote: number;
  speakerId: string | null;
  via: AttributionVia;
}

export interface AttributionResult {
  lines: Attribution[];
  /** Role words resolved to a member (grandfather → c2), to add to its aliases. */
  roles: Map<string, string>;
}

const NAME_CHARS = '\\u3005\\u3400-\\u9fff\\u30a1-\\u30f6\\u30fc\\u3041-\\u3096';
const HON = JA_HONORIFICS.join('|');

function inside(s: Span, at: number): boolean {
  return s.start <= at && at < s.end;
}

interface Speaker {
  id: string | null;
  role: string | null;
}

export function attributeQuotes(story: StoryText, cast: CastMember[]): AttributionResult {
  const { text } = story;
  const speech = story.quotes.filter((q) => q.kind === 'speech');
  const inAnyQuote = (at: number) => story.quotes.some((q) => inside(q, at));
  const narrationMentions = (from: number, to: number) =>
    cast
      .flatMap((c) => c.mentions.filter((m) => m.start >= from && m.end <= to && !inAnyQuote(m.start)).map((m) => ({ id: c.id, at: m.start, end: m.end })))
      .sort((a, b) => a.at - b.at);

  /** JA subject: 湊は / 湊が / 黒田湊だ, but not the relative clause 湊が差し出したのは. */
  const jaSubjects = (from: number, to: number) =>
    narrationMentions(from, to).filter((m) => {
      const after = text.slice(m.end, m.end + 40);
      const rest = after.replace(new RegExp(`^(?:${HON})`), '');
      if (/^が[^、。「」]*?のは/.test(rest)) return false;
      return /^(?:は|が|だ|も|、)/.test(rest);
    });

  const subjectOf = (from: number, to: number): string | null => {
    if (story.language === 'ja' || /[\u3040-\u30ff]/.test(text.slice(from, to))) {
      const s = jaSubjects(from, to);
      if (s.length) return s[0].id;
      if (story.language === 'ja') return null;
    }
    return narrationMentions(from, to)[0]?.id ?? null;
  };

  const addressed = (q: Quote): { ids: Set<string>; role: string | null } => {
    const ids = new Set<string>();
    for (const c of cast) {
      for (const n of [c.name, ...c.aliases]) {
        const at = q.text.indexOf(n);
        if (at < 0) continue;
        const after = q.text.slice(at + n.length, at + n.length + 3);
        if (new RegExp(`^(?:${HON})?[！!？?、,…]|^(?:${HON})?$`).test(after) || at === 0) ids.add(c.id);
      }
    }
    const voc = /^(\w+)[,!]/.exec(q.text) ?? /,\s*(\w+)[.!?]$/.exec(q.text);
    const role = voc ? EN_ROLE_NOUNS[voc[1].toLowerCase()] ?? null : null;
    return { ids, role };
  };

  const resolveName = (raw: string): string | null => {
    const m = memberNamed(cast, raw) ?? memberNamed(cast, trimJaRun(raw));
    return m?.id ?? null;
  };

  /** Genders learned so far: from the English reader, then from pronoun attributions (彼は言った). */
  const learned = new Map<string, 'f' | 'm'>();
  for (const c of cast) if (c.gender) learned.set(c.id, c.gender);

  /** The subject of the nearest narration sentence before `at` that has one (up to six back). */
  const subjectBefore = (at: number): string | null => {
    const idx = story.sentences.findIndex((x) => x.end > at);
    const from = (idx < 0 ? story.sentences.length : idx) - 1;
    for (let i = from; i >= 0 && i > from - 6; i--) {
      const id = subjectOf(story.sentences[i].start, Math.min(story.sentences[i].end, at));
      if (id) return id;
    }
    return null;
  };

  /**
   * she said / 彼女は答えた: the nearest narration subject whose gender fits, never the previous
   * speaker when their gender is known to differ; what we resolve teaches us their gender.
   */
  const pronoun = (word: string, at: number, previous: string | null): string | null => {
    const g: 'f' | 'm' | null = /^(?:she|her|彼女)$/i.test(word) ? 'f' : /^(?:he|him|彼)$/i.test(word) ? 'm' : null;
    const fits = (id: string) => g === null || !learned.has(id) || learned.get(id) === g;
    const excluded = previous !== null && g !== null && learned.has(previous) && learned.get(previous) !== g ? previous : null;
    let found: string | null = null;
    const subject = subjectBefore(at);
    if (subject && subject !== excluded && fits(subject)) found = subject;
    if (!found) {
      for (const m of narrationMentions(Math.max(0, at - 1500), at).reverse()) {
        if (m.id !== excluded && m.id !== previous && fits(m.id)) {
          found = m.id;
          break;
        }
      }
    }
    if (found && g) learned.set(found, g);
    return found;
  };

  const explicit = (q: Quote, previous: Speaker | null): Speaker | null => {
    // Attribution never crosses a paragraph break.
    const para = story.paragraphs[q.paragraph];
    const after = text.slice(q.end, Math.min(para.end, q.end + 60));
    const before = text.slice(Math.max(para.start, q.start - 60), q.start);
    // Japanese: 「…」とミキが聞いた / 松井さんは「…」と言った
    const ja = new RegExp(`^と、?([${NAME_CHARS}]{1,8}?)(?:${HON})?(?:が|は)、?(.{0,6})`).exec(after);
    if (ja && JA_SPEECH_VERBS.test(ja[2])) {
      if (/^(?:彼|彼女)$/.test(ja[1])) return { id: pronoun(ja[1], q.start, previous?.id ?? null), role: null };
      const id = resolveName(ja[1]);
      if (id) return { id, role: null };
      // 「…」と祖母は笑った: someone the text names but who is not in the cast speaks. It is
      // not whoever spoke before — a role, resolved later if the story ties it to someone.
      const who = trimJaRun(ja[1]);
      if (who.length >= 1 && who.length <= 6) return { id: null, role: who };
    }
    const jb = new RegExp(`([${NAME_CHARS}]{1,12})(?:は|が)、?$`).exec(before);
    if (jb) {
      const id = resolveName(trimJaRun(jb[1]));
      if (id) return { id, role: null };
    }
    // English, after the quote: , Tobias said / Tobias Quill snorted / she said / her grandfather said / said Mara
    const en = /^\s*,?\s*((?:[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+)?)|he|she|they|I|(?:her|his|their|my|the|a|an)\s+\w+)\s+(\w+)/.exec(after);
    if (en && EN_SPEECH_VERBS.has(en[2].toLowerCase())) {
      const who = en[1];
      const roleWord = /^(?:her|his|their|my|the|a|an)\s+(\w+)$/i.exec(who)?.[1]?.toLowerCase();
      if (roleWord) return { id: null, role: EN_ROLE_NOUNS[roleWord] ?? roleWord };
      if (/^(?:he|she)$/i.test(who)) return { id: pronoun(who, q.start, previous?.id ?? null), role: null };
      const id = resolveName(who);
      if (id) return { id, role: null };
    }
    const inv = /^\s*,?\s*(\w+)\s+([A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+)?)/.exec(after);
    if (inv && EN_SPEECH_VERBS.has(inv[1].toLowerCase())) {
      const id = resolveName(inv[2]);
      if (id) return { id, role: null };
    }
    // Before the quote: Mara said, "…" / Mara said: "…"
    const eb = /([A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+)?)\s+(\w+)\s*[,:]\s*$/.exec(before);
    if (eb && EN_SPEECH_VERBS.has(eb[2].toLowerCase())) {
      const id = resolveName(eb[1]);
      if (id) return { id, role: null };
    }
    return null;
  };

  const result: Speaker[] = [];
  const via: AttributionVia[] = [];
  speech.forEach((q, i) => {
    const prev = i > 0 ? speech[i - 1] : null;
    const prevSpeaker = i > 0 ? result[i - 1] : null;
    const addr = addressed(q);
    const para = story.paragraphs[q.paragraph];
    const ok = (id: string | null): id is string => id !== null && !addr.ids.has(id);

    const e = explicit(q, prevSpeaker);
    if (e && (e.role || ok(e.id))) {
      result.push(e);
      via.push('explicit');
      return;
    }
    // The same paragraph already has a line: a second quote continues it, unless the narration
    // in between hands the floor to someone else.
    if (prev && prev.paragraph === q.paragraph && prevSpeaker && (prevSpeaker.id || prevSpeaker.role)) {
      const between = subjectOf(prev.end, q.start);
      if (!between || between === prevSpeaker.id) {
        result.push(prevSpeaker);
        via.push('continuation');
        return;
      }
    }
    // Narration in this paragraph (outside any quote) that names someone.
    const here = subjectOf(para.start, para.end);
    if (ok(here)) {
      result.push({ id: here, role: null });
      via.push('paragraph');
      return;
    }
    // The narration paragraph right before (no speech in it), last sentence that has a subject.
    const before = story.paragraphs[q.paragraph - 1];
    // After a reveal ('next'), the narration's subject is the one who just spoke: the new line answers.
    const revealed = i > 0 && via[i - 1] === 'next' ? result[i - 1].id : null;
    if (before && before.scene === para.scene && !speech.some((s) => s.paragraph === before.index) && subjectOf(before.start, before.end) !== revealed) {
      const sentences = story.sentences.filter((s) => s.paragraph === before.index).reverse();
      for (const s of sentences) {
        const id = subjectOf(s.start, s.end);
        if (id) {
          if (ok(id)) {
            result.push({ id, role: null });
            via.push('previous');
            return;
          }
          break;
        }
      }
      // No subject in the last sentence: the paragraph's first subject.
      const first = subjectOf(before.start, before.end);
      if (ok(first)) {
        result.push({ id: first, role: null });
        via.push('previous');
        return;
      }
    }
    // Turn-taking: answer the previous speaker with the one before them, or with whoever the
    // narration mentioned last.
    if (prev && prevSpeaker && (prevSpeaker.id || prevSpeaker.role) && q.paragraph - prev.paragraph <= 2) {
      for (let j = i - 2; j >= 0 && q.paragraph - speech[j].paragraph <= 12; j--) {
        const s = result[j];
        if ((s.id && s.id !== prevSpeaker.id && ok(s.id)) || (s.role && s.role !== prevSpeaker.role && !s.id)) {
          result.push(s);
          via.push('turn-taking');
          return;
        }
      }
      const mentioned = narrationMentions(Math.max(0, q.start - 2000), q.start).reverse();
      const other = mentioned.find((m) => m.id !== prevSpeaker.id && ok(m.id));
      if (other) {
        result.push({ id: other.id, role: null });
        via.push('turn-taking');
        return;
      }
    }
    // Voice first, then the reveal: 「傘、貸そうか？」 / 振り向くと、早川美咲が立っていた。
    const after = story.paragraphs[q.paragraph + 1];
    if (after && after.scene === para.scene && !speech.some((x) => x.paragraph === after.index)) {
      const id = subjectOf(after.start, after.end);
      if (ok(id) && id !== prevSpeaker?.id) {
        result.push({ id, role: null });
        via.push('next');
        return;
      }
    }
    result.push({ id: null, role: null });
    via.push('none');
  });

  // Roles: "Grandpa, …" said by A, answered by a named B → B is grandpa.
  const roles = new Map<string, string>();
  speech.forEach((q, i) => {
    const addr = addressed(q);
    if (!addr.role || roles.has(addr.role)) return;
    for (let j = i + 1; j < Math.min(speech.length, i + 3); j++) {
      const s = result[j];
      const sameScene = story.paragraphs[speech[j].paragraph].scene === story.paragraphs[q.paragraph].scene;
      if (!sameScene || speech[j].paragraph - q.paragraph > 2) break;
      if (s.id && s.id !== result[i].id) {
        roles.set(addr.role, s.id);
        break;
      }
    }
  });
  const lines: Attribution[] = speech.map((q, i) => {
    const s = result[i];
    if (s.id) return { quote: q.index, speakerId: s.id, via: via[i] };
    if (s.role && roles.has(s.role)) return { quote: q.index, speakerId: roles.get(s.role) ?? null, via: 'role' };
    return { quote: q.index, speakerId: null, via: 'none' };
  });
  return { lines, roles };
}
