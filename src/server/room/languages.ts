/**
 * The room's fan-out when members read different languages: one LocalFanout
 * per language, each serving the members who read it. A chat line goes to
 * every language's engine as the same text; a notice is worded once per
 * language in use, so each engine still encodes each line once for all of
 * its readers. A room where everyone reads one language costs what a single
 * engine costs: engines with no readers are skipped, and the one in use
 * asks nobody which language they read. The engines share the room's member
 * set rather than keeping one set each: at ten thousand idle members a
 * second set entry per member shows in the memory per connection.
 */

import { LANGS, type Lang } from "../../protocol/lang.ts";
import { SERVER_TEXT } from "../../protocol/messages.ts";
import { type Fanout, type Line, LocalFanout, type Recipient, type TurnReport } from "./fanout.ts";

/** A member as this fan-out sees it: somewhere to send bytes, in a language. */
export interface Reader extends Recipient {
  readonly lang: Lang;
}

export class LanguageFanout<M extends Reader> implements Fanout<M> {
  private readonly engines: Readonly<Record<Lang, LocalFanout<M>>>;

  /**
   * @param members the room's members; read here, never changed.
   * @param readers how many of them read each language, kept by the room.
   * @param onTurn what each engine's delivered turn showed.
   * @param schedule runs an engine's end-of-turn delivery (setImmediate, guarded by the room).
   */
  constructor(
    members: ReadonlySet<M>,
    private readonly readers: Readonly<Record<Lang, number>>,
    onTurn: (report: TurnReport<M>) => void,
    turnBytes: number,
    schedule: (run: () => void) => void = setImmediate,
  ) {
    const engines = {} as Record<Lang, LocalFanout<M>>;
    for (const lang of LANGS) {
      const audience = {
        mixed: () => LANGS.some((other) => other !== lang && readers[other] > 0),
        reads: (member: M) => member.lang === lang,
      };
      engines[lang] = new LocalFanout(
        members,
        onTurn,
        turnBytes,
        schedule,
        SERVER_TEXT[lang],
        audience,
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
      if (this.readers[lang] === 0) continue;
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
