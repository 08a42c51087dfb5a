/**
 * The room's fan-out when members read different languages: one LocalFanout
 * per language, each over the members who read it. A chat line goes to every
 * language's engine as the same text; a notice is worded once per language in
 * use, so each engine still encodes each line once for all of its readers.
 * A room where everyone reads one language costs what a single engine costs:
 * engines with no members are skipped.
 */

import { LANGS, type Lang } from "../protocol/lang.ts";
import { SERVER_TEXT } from "../protocol/messages.ts";
import { type Fanout, type Line, LocalFanout, type Recipient, type TurnReport } from "./fanout.ts";

/** A member as this fan-out sees it: somewhere to send bytes, in a language. */
export interface Reader extends Recipient {
  readonly lang: Lang;
}

export class LanguageFanout<M extends Reader> implements Fanout<M> {
  private readonly engines: Readonly<Record<Lang, LocalFanout<M>>>;

  /**
   * @param readers the room's members by language; read here, never changed.
   * @param onTurn what each engine's delivered turn showed.
   */
  constructor(
    private readonly readers: Readonly<Record<Lang, ReadonlySet<M>>>,
    onTurn: (report: TurnReport<M>) => void,
    turnBytes: number,
  ) {
    const engines = {} as Record<Lang, LocalFanout<M>>;
    for (const lang of LANGS) {
      engines[lang] = new LocalFanout(
        readers[lang],
        onTurn,
        turnBytes,
        setImmediate,
        SERVER_TEXT[lang],
      );
    }
    this.engines = engines;
  }

  get full(): boolean {
    for (const lang of LANGS) if (this.engines[lang].full) return true;
    return false;
  }

  toAll(line: Line, from?: M): void {
    for (const lang of LANGS) {
      if (this.readers[lang].size === 0) continue;
      this.engines[lang].toAll(line, from !== undefined && from.lang === lang ? from : undefined);
    }
  }

  toOne(member: M, line: string): void {
    this.engines[member.lang].toOne(member, line);
  }

  admit(member: M): void {
    this.engines[member.lang].admit(member);
  }

  release(member: M): void {
    this.engines[member.lang].release(member);
  }

  flush(): void {
    for (const lang of LANGS) this.engines[lang].flush();
  }
}
