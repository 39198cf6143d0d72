/**
 * What a provider does for the phase agents: the creative steps only. Everything mechanical
 * (layout, lettering, composition, validation, asset ids) lives in the phase modules and the
 * engine, so both providers get the same guarantees.
 */
import type { DialogueLine, Language, PageFormatName, ReadingDirection, ShotInput } from '../../lib/engine/types';
import type {
  CharactersOutput,
  Character,
  ConceptOutput,
  NameOutput,
  NamePanel,
  Phase,
  PlotOutput,
} from '../../schema/phases';
import type { Draft, GenerationRecord, ImageDraft } from '../types';

export interface StoryInput {
  text: string;
  language: Language;
  readingDirection: ReadingDirection;
  pageFormat: PageFormatName;
  seed: number;
}

/** Per-call plumbing: cancellation, accounting, streaming. */
export interface ProviderCall {
  phase: Phase;
  signal: AbortSignal;
  record: (row: GenerationRecord) => void;
  onText?: (field: string, delta: string) => void;
}

interface Revision<T> {
  feedback?: string;
  revising?: T;
}

export interface ConceptRequest extends Revision<ConceptOutput> {
  story: StoryInput;
}
export interface CharactersRequest extends Revision<CharactersOutput> {
  story: StoryInput;
  concept?: ConceptOutput;
}
export interface CharacterSheetRequest {
  story: StoryInput;
  character: Character;
  index: number;
  concept?: ConceptOutput;
}
export interface PlotRequest extends Revision<PlotOutput> {
  story: StoryInput;
  concept?: ConceptOutput;
  characters: CharactersOutput;
}
export interface ShotsRequest extends Revision<NameOutput> {
  story: StoryInput;
  characters: CharactersOutput;
  plot: PlotOutput;
}
export interface ReferenceImage {
  characterId: string;
  bytes: Uint8Array;
  mime: string;
}
export interface SceneImageRequest {
  story: StoryInput;
  panel: NamePanel;
  pageIndex: number;
  characters: CharactersOutput;
  concept?: ConceptOutput;
  references: ReferenceImage[];
  /** Per panel: the seed of the run mixed with the panel id. */
  seed: number;
  feedback?: string;
}
export interface DialogueRequest extends Revision<unknown> {
  story: StoryInput;
  characters: CharactersOutput;
  plot?: PlotOutput;
  name: NameOutput;
}

export interface AgentProvider {
  readonly name: 'offline' | 'gemini';
  concept(req: ConceptRequest, call: ProviderCall): Promise<Draft<ConceptOutput>>;
  characters(req: CharactersRequest, call: ProviderCall): Promise<Draft<CharactersOutput>>;
  characterSheet(req: CharacterSheetRequest, call: ProviderCall): Promise<ImageDraft>;
  plot(req: PlotRequest, call: ProviderCall): Promise<Draft<PlotOutput>>;
  shots(req: ShotsRequest, call: ProviderCall): Promise<Draft<ShotInput[]>>;
  sceneImage(req: SceneImageRequest, call: ProviderCall): Promise<ImageDraft>;
  /** Lines without placement: which panel, who, what kind, the text, in script order. */
  dialogue(req: DialogueRequest, call: ProviderCall): Promise<Draft<DialogueLine[]>>;
}
