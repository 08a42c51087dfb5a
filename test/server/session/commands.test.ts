import { describe, expect, jest, test } from "bun:test";
import { action, chat, SERVER_TEXT } from "../../../src/protocol/messages.ts";
import { PASSWORD_PENALTY } from "../../../src/server/admission/addresses.ts";
import { contextPerTest, join, open } from "../../support/fakes.ts";

const en = SERVER_TEXT.en;
const pt = SERVER_TEXT.pt;
const setup = contextPerTest();

/** A room with ana, bob and cid in it, each from an address of its own, all lines read. */
function room(...args: Parameters<typeof setup>) {
  const c = setup(...args);
  const ana = join(c, "ana");
  const bob = join(c, "bob");
  const cid = join(c, "cid");
  ana.read();
  bob.read();
  return { c, ana, bob, cid };
}

/** ana, made an operator of a room whose operator password is "sesame". */
function withOperator() {
  const r = room({ opPassword: "sesame" });
  r.ana.say("/op sesame");
  expect(r.ana.read()).toEqual([en.nowOperator()]);
  return r;
}

describe("chat", () => {
  test("a line and a /me reach everyone else; //text sends a line starting with /", () => {
    const { ana, bob, cid } = room();
    ana.say("hello", "/me waves", "//shrug");
    const expected = [chat("ana", "hello"), action("ana", "waves"), chat("ana", "/shrug")];
    expect(bob.read()).toEqual(expected);
    expect(cid.read()).toEqual(expected);
    expect(ana.read()).toEqual([]);
  });

  test("unknown commands and missing arguments are answered to the sender only", () => {
    const { ana, bob } = room();
    ana.say("/dance", "/me", "/msg bob");
    expect(ana.read()).toEqual([
      en.unknownCommand("/dance"),
      en.usage("/me ACTION"),
      en.usage("/msg NAME TEXT"),
    ]);
    expect(bob.read()).toEqual([]);
  });
});

describe("/nick", () => {
  test("a new name is read by everyone", () => {
    const { ana, bob, c } = room();
    ana.say("/nick anna");
    expect(ana.read()).toEqual([en.renamed("ana", "anna")]);
    expect(bob.read()).toEqual([en.renamed("ana", "anna")]);
    expect(c.room.find("anna")).toBe(ana.client);
  });

  test("a taken, look-alike, same or invalid name is refused, to the sender only", () => {
    const { ana, bob } = room();
    ana.say("/nick BOB", "/nick b\u043eb" /* Cyrillic о */, "/nick ana", "/nick a:b");
    expect(ana.read()).toEqual([
      en.nameTaken("BOB"),
      en.nameTaken("b\u043eb"),
      en.sameName("ana"),
      en.invalidName("bad-chars"),
    ]);
    expect(bob.read()).toEqual([]);
    expect(ana.name).toBe("ana");
  });
});

describe("/msg and /who", () => {
  test("a private line reaches its one reader, and its sender sees it went", () => {
    const { ana, bob, cid } = room();
    ana.say("/msg BOB psst, hi");
    expect(bob.read()).toEqual([en.privateFrom("ana", "psst, hi")]);
    expect(ana.read()).toEqual([en.privateTo("bob", "psst, hi")]);
    expect(cid.read()).toEqual([]);
  });

  test("a private line to nobody is answered as such", () => {
    const { ana } = room();
    ana.say("/msg zoe hi");
    expect(ana.read()).toEqual([en.noSuchUser("zoe")]);
  });

  test("/who lists the room in joining order", () => {
    const { ana } = room();
    ana.say("/who");
    expect(ana.read()).toEqual([en.who(3, ["ana", "bob", "cid"])]);
  });
});

describe("/topic", () => {
  test("without operators, anyone may read the topic but nobody set it", () => {
    const { ana, bob } = room();
    ana.say("/topic", "/topic exams");
    expect(ana.read()).toEqual([en.noTopic(), en.noOperators()]);
    expect(bob.read()).toEqual([]);
  });

  test("with an operator password, only operators set it", () => {
    const { ana, bob, c } = withOperator();
    bob.say("/topic mine");
    expect(bob.read()).toEqual([en.notOperator()]);
    ana.say("/topic exams on friday");
    expect(bob.read()).toEqual([en.topicSet("ana", "exams on friday")]);
    expect(ana.read()).toEqual([en.topicSet("ana", "exams on friday")]);
    expect(c.room.topic).toBe("exams on friday");
    bob.say("/topic");
    expect(bob.read()).toEqual([en.topic("exams on friday")]);
  });
});

describe("/op", () => {
  test("a room without operators says so", () => {
    const { ana } = room();
    ana.say("/op guess");
    expect(ana.read()).toEqual([en.noOperators()]);
  });

  test("a wrong password's answer is held for its penalty; the lines after it wait too", () => {
    jest.useFakeTimers();
    const { ana, bob } = room({ opPassword: "sesame" });
    ana.say("/op guess", "/op sesame", "after");
    expect(ana.read()).toEqual([]);
    expect(ana.conn.paused).toBe(true);
    jest.advanceTimersByTime(PASSWORD_PENALTY.firstMs - 1);
    expect(ana.read()).toEqual([]);
    expect(bob.read()).toEqual([]);
    jest.advanceTimersByTime(1);
    // The right one is answered at once, as soon as the wrong one's answer is out.
    expect(ana.read()).toEqual([en.wrongPassword(), en.nowOperator()]);
    expect(bob.read()).toEqual([chat("ana", "after")]);
    expect(ana.client.operator).toBe(true);
    expect(ana.conn.paused).toBe(false);
  });

  test("/help lists what each may do: operators everything, members the rest", () => {
    const { ana, bob } = withOperator();
    ana.say("/help");
    bob.say("/help");
    expect(ana.read()).toEqual(en.help("operator"));
    expect(bob.read()).toEqual(en.help("member"));
    expect(en.help("operator").length).toBeGreaterThan(en.help("member").length);
  });

  test("/help in a room without operators", () => {
    const { ana } = room();
    ana.say("/help");
    expect(ana.read()).toEqual(en.help("no-operators"));
  });
});

describe("/kick, /ban, /unban", () => {
  test("only operators moderate", () => {
    const { bob, cid } = withOperator();
    bob.say("/kick cid", "/ban cid", "/unban cid");
    expect(bob.read()).toEqual([en.notOperator(), en.notOperator(), en.notOperator()]);
    expect(cid.client.phase).toBe("joined");
  });

  test("a kick: everyone reads why, the kicked member last of all, and it is closed", () => {
    const { ana, bob, cid, c } = withOperator();
    ana.say("/kick bob spamming");
    const notice = en.kicked("bob", "ana", "spamming");
    expect(ana.read()).toEqual([notice]);
    expect(cid.read()).toEqual([notice]);
    expect(bob.read()).toEqual([notice]);
    expect(bob.client.phase).toBe("ending");
    expect(bob.conn.shutdowns).toBe(1);
    expect(c.room.names()).toEqual(["ana", "cid"]);
    // The kicked member may come back.
    expect(open(c, { address: bob.client.host }).admitted).toBe(true);
  });

  test("a kick of nobody is answered as such", () => {
    const { ana } = withOperator();
    ana.say("/kick zoe");
    expect(ana.read()).toEqual([en.noSuchUser("zoe")]);
  });

  test("a ban removes the member and refuses its address until unbanned", () => {
    const { ana, bob, cid, c } = withOperator();
    const host = bob.client.host;
    ana.say("/ban bob");
    expect(cid.read()).toEqual([en.banned("bob", "ana")]);
    expect(bob.read()).toEqual([en.banned("bob", "ana")]);
    expect(c.gate.banned()).toEqual([[host, "bob"]]);
    const again = open(c, { address: host });
    expect(again.admitted).toBe(false);
    expect(again.conn.lines()).toEqual([en.bannedHere()]);
    expect(again.conn.shutdowns).toBe(1);
    ana.say("/unban BOB", "/unban bob");
    expect(ana.read()).toEqual([en.banned("bob", "ana"), en.unbanned("BOB"), en.notBanned("bob")]);
    expect(open(c, { address: host }).admitted).toBe(true);
  });

  test("a ban of someone on the operator's own address is refused", () => {
    const { ana, c } = withOperator();
    const twin = join(c, "twin", { address: ana.client.host });
    ana.read();
    ana.say("/ban twin");
    expect(ana.read()).toEqual([en.banYourOwnAddress("twin")]);
    expect(twin.client.phase).toBe("joined");
    expect(c.gate.banned()).toEqual([]);
  });
});

describe("/quit, /lang", () => {
  test("/quit with a reason: the others read it, the member reads bye and is closed", () => {
    const { ana, bob } = room();
    ana.say("/quit see you");
    expect(bob.read()).toEqual([en.left("ana", "see you")]);
    expect(ana.read()).toEqual([en.bye()]);
    expect(ana.client.phase).toBe("ending");
    expect(ana.conn.shutdowns).toBe(1);
  });

  test("/lang switches the member's language; an unknown one is refused", () => {
    const { ana, bob } = room();
    ana.say("/lang", "/lang xx", "/lang pt");
    expect(ana.read()).toEqual([en.language(), en.unknownLanguage("xx"), pt.language()]);
    bob.say("/nick bruno");
    expect(ana.read()).toEqual([pt.renamed("bob", "bruno")]);
    expect(bob.read()).toEqual([en.renamed("bob", "bruno")]);
  });
});
